using Totem.Protocol.Wire;

namespace Totem.Protocol.Quorum;

/// <summary>The flags corosync-quorumtool -s prints (votequorum's VOTEQUORUM_INFO_*; same bit values).</summary>
[Flags]
public enum QuorumFlags : uint
{
    None = 0,
    TwoNode = 1,
    Quorate = 2,
    WaitForAll = 4,
    LastManStanding = 8,
    AutoTieBreaker = 16,
    AllowDownscale = 32,
}

/// <summary>votequorum's node states (VOTEQUORUM_NODESTATE_*; same values).</summary>
public enum QuorumNodeState { Member = 1, Dead = 2, Leaving = 3 }

/// <summary>One node votequorum knows of (it has sent node-info at least once since this node started).</summary>
public sealed record QuorumNodeStatus(NodeId NodeId, string? Name, QuorumNodeState State, uint Votes, uint ExpectedVotes, NodeInfoFlags Flags);

/// <summary>
/// What corosync-quorumtool -s and pvecm status show, as this node sees it. <paramref name="ExpectedVotesBarrier"/> is
/// votequorum's ev_barrier (runtime.votequorum.ev_barrier): the configured (or operator-set) expected votes, the floor
/// allow_downscale lowers expected votes to.
/// </summary>
public sealed record QuorumStatus(
    NodeId NodeId,
    RingId? RingId,
    bool Quorate,
    uint Votes,
    uint ExpectedVotes,
    uint HighestExpected,
    uint TotalVotes,
    uint Quorum,
    QuorumFlags Flags,
    bool WaitingForAll,
    long? LastManStandingDeadlineMs,
    ValueList<NodeId> Members,
    ValueList<QuorumNodeStatus> Nodes,
    uint ExpectedVotesBarrier)
{
    /// <summary>The "Flags:" line of corosync-quorumtool -s, in its words and order.</summary>
    public string FlagsText => string.Join(" ", new (QuorumFlags Flag, string Word)[]
        {
            (QuorumFlags.TwoNode, "2Node"), (QuorumFlags.Quorate, "Quorate"), (QuorumFlags.WaitForAll, "WaitForAll"),
            (QuorumFlags.LastManStanding, "LastManStanding"), (QuorumFlags.AutoTieBreaker, "AutoTieBreaker"),
            (QuorumFlags.AllowDownscale, "AllowDownscale"),
        }.Where(f => Flags.HasFlag(f.Flag)).Select(f => f.Word));
}
