using Totem.Protocol.Srp;

namespace Totem.Nodes.Messages;

// The envelopes of the handshake between the node's Membership and TokenHolder actors (Protocol/Srp/Handshake.cs
// has the commands and reports they carry; Actors/Membership.cs and TokenHolder.cs say how they are used).

/// <summary>
/// One incarnation of Membership (a restart makes a new one). Both actors drop an envelope of another incarnation:
/// a message of the pair's life before a restart must not reach the fresh engines. Compared by reference.
/// </summary>
public sealed class RingIncarnation
{
}

/// <summary>
/// Everything one step of Membership's engine asks of TokenHolder, in the engine's output order: its
/// <see cref="MembershipCommand"/>s, and the starts and stops of the timers TokenHolder owns (token loss, token
/// warning, token retransmit) that the membership protocol arms (COMMIT's token loss and commit token
/// retransmission, GATHER's second consensus wait), and <see cref="RingLeft"/>. <paramref name="Seq"/> counts the
/// batches of this incarnation from 1; TokenHolder answers every batch with a <see cref="TokenHolderReports"/>.
/// </summary>
public sealed record MembershipBatch(RingIncarnation Incarnation, int Seq, IReadOnlyList<object> Items);

/// <summary>The node left the ring (its leave is sent): TokenHolder ignores the network and its timers from here on.</summary>
public sealed record RingLeft
{
    public static RingLeft Instance { get; } = new();
}

/// <summary>
/// TokenHolder's reports of one step, in order. <paramref name="Seen"/> is the last <see cref="MembershipBatch"/>
/// TokenHolder had processed when it made them: it is the answer to batch <paramref name="Seen"/> when that batch
/// was the step (sent even without reports), and tells Membership which of its commands the reports predate.
/// </summary>
public sealed record TokenHolderReports(RingIncarnation Incarnation, int Seen, IReadOnlyList<TokenReport> Reports);
