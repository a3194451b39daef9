using Totem.Protocol.Wire;

namespace Totem.Protocol.Store;

/// <summary>What the members of a ring agreed from every member's <see cref="StoreSummary"/>: the same on every member.</summary>
/// <param name="Source">The member whose state wins and who sends it to those behind.</param>
/// <param name="Winner">The source's summary.</param>
/// <param name="Behind">Members whose contents differ from the winner's (digest): they receive the source's state.</param>
/// <param name="Quorate">Every member said it is quorate in this ring: the synchronized state takes this ring as its epoch.</param>
public sealed record StoreSyncDecision(NodeId Source, StoreSummary Winner, ValueList<NodeId> Behind, bool Quorate);

/// <summary>
/// Which state a ring's members adopt after a membership change: <b>the state last written (or synchronized) while
/// quorate wins</b>, i.e. the greatest (epoch, version), epochs ordered by ring seq then representative; equal
/// (epoch, version) with different contents are decided by the lowest node id, so every member, holding the same
/// summaries, decides the same.
/// <para>
/// Why it is safe: a write is only accepted by a quorate member and its state takes the write's ring as epoch, and
/// a ring whose members are all quorate takes its own ring as epoch at its sync. votequorum grants quorum to at most
/// one partition at a time, and with fixed expected votes any two quorate memberships share a member; each ring's seq
/// is above every seq its members saw (totemsrp, with the seq kept across restarts). So the quorate rings follow one
/// another with growing seqs, each one's sync holds a member that carries the previous quorate ring's writes (the
/// greatest epoch among its members), and a state written in a later quorate ring has the greater epoch. A partition
/// that was not quorate wrote nothing and keeps the epoch it had, which is never greater than the quorate side's after
/// that side synchronized or wrote. Within one epoch states differ only by how far along the ring's agreed order of
/// writes they got, so the greater version is the later state. Operator overrides that break votequorum's guarantee
/// (`expected` lowered on both sides of a split) make two quorate sides; then the one with the later epoch wins.
/// </para>
/// </summary>
public static class StoreSyncRule
{
    public static StoreSyncDecision Decide(IReadOnlyDictionary<NodeId, StoreSummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        if (summaries.Count == 0) throw new ArgumentException("a sync decision needs at least one member's summary", nameof(summaries));
        var (source, winner) = summaries
            .OrderByDescending(s => s.Value.Epoch.Seq)
            .ThenByDescending(s => s.Value.Epoch.Representative)
            .ThenByDescending(s => s.Value.Version)
            .ThenBy(s => s.Key)
            .First();
        var behind = summaries.Where(s => s.Value.Digest != winner.Digest).Select(s => s.Key).OrderBy(n => n).ToValueList();
        return new StoreSyncDecision(source, winner, behind, summaries.Values.All(s => s.Quorate));
    }

    /// <summary>True when <paramref name="a"/> is a later epoch than <paramref name="b"/>.</summary>
    public static bool IsLater(RingId a, RingId b) => a.Seq != b.Seq ? a.Seq > b.Seq : a.Representative > b.Representative;
}
