using Totem.Protocol.Wire;

namespace Totem.Protocol.Srp;

// The handshake between the two halves of a Totem node (../shared/DESIGN.md, "The node: actors and the
// messages between them"): Membership (GATHER/COMMIT, MembershipEngine) and TokenHolder (the installed
// ring's ordered log and its token, TokenHolderEngine). Every message is an immutable record, so an actor
// pair can exchange them as Tell messages; neither engine holds a reference to the other. An engine asks
// for a message to be sent to its peer with a Tell* output, in order among its other outputs. TotemSrp, the
// composer the protocol tests run, splices the peer's effects in at exactly that point of the output stream;
// the node's actors (Nodes/Actors/TokenHolder.cs, Membership.cs) exchange them asynchronously, and their doc
// comments say how they keep the protocol's semantics across the delay.

/// <summary>
/// A ring as Membership decided it, handed to TokenHolder: the ring id the token and the multicasts carry,
/// the members in commit-token order, and the member this node passes the token to.
/// </summary>
public sealed record RingConfig(RingId RingId, ValueList<NodeId> Members, NodeId TokenTarget);

/// <summary>
/// Where TokenHolder's ordered log stands (corosync's my_aru, my_high_seq_received, my_high_delivered and the
/// old ring state saved at the first commit): what Membership writes into this node's slot of the commit token.
/// </summary>
public readonly record struct RingPosition(
    uint Aru,
    uint HighSeqReceived,
    uint HighDelivered,
    bool OldRingSaved,
    RingId OldRingId,
    uint OldRingAru)
{
    /// <summary>corosync's received flag: this node has every message up to the highest it saw.</summary>
    public bool ReceivedAll => Aru == HighSeqReceived;
}

/// <summary>Membership to TokenHolder.</summary>
public abstract record MembershipCommand : SrpInput;

/// <summary>Membership entered GATHER: stop the ring (drop tokens, stop the token timers); answered by a <see cref="RingPositionReport"/>.</summary>
public sealed record SuspendRing : MembershipCommand;

/// <summary>
/// Membership entered COMMIT for <paramref name="Ring"/>: keep the old ring's position (once per membership
/// change), match tokens and multicasts against the new ring id, retransmit <paramref name="CommitTokenSent"/>
/// on the token retransmit timer, start flow control afresh. Answered by a <see cref="RingPositionReport"/>.
/// <paramref name="Written"/> is the position Membership wrote into this node's slot of the commit token; the
/// old ring's state is saved from it, not from the log as it stands when the command arrives: between the two
/// actors an old-ring multicast can move the log after the report Membership used was sent, and the saved state
/// must be what the other members were told, and that multicast is discarded as if it came after the commit
/// (where corosync, on the new ring id already, drops it as foreign).
/// </summary>
public sealed record EnterCommit(RingConfig Ring, CommitToken CommitTokenSent, RingPosition Written) : MembershipCommand;

/// <summary>
/// The recovery ring is given up (a join from a new member in RECOVERY): restore the old ring's aru and high seq.
/// Ignored once the recovery ring is off (installed, or given up at a token loss): between the node's actors
/// TokenHolder may have done either while the command was on its way.
/// </summary>
public sealed record AbandonRecovery : MembershipCommand;

/// <summary>
/// The commit token came round twice: recover into <paramref name="Ring"/> (RECOVERY): re-multicast the old
/// ring's messages some member misses, then install it. <paramref name="ReceivedFlg"/> is what this node wrote
/// into its slot of the commit token.
/// </summary>
public sealed record InstallRing(RingConfig Ring, CommitToken CommitTokenSent, bool ReceivedFlg) : MembershipCommand;

/// <summary>The representative's commit token came round a third time in RECOVERY: originate the first ORF token.</summary>
public sealed record OriginateToken : MembershipCommand;

/// <summary>TokenHolder to Membership.</summary>
public abstract record TokenReport : SrpInput;

/// <summary>The ordered log's position: the answer to <see cref="SuspendRing"/> and <see cref="EnterCommit"/>, and sent again whenever it moves while the ring is not operational.</summary>
public sealed record RingPositionReport(RingPosition Position) : TokenReport;

/// <summary>The token loss timer expired (in RECOVERY the old ring's position has already been restored).</summary>
public sealed record TokenLostReport : TokenReport;

/// <summary>This node kept holding the token's aru back for fail_to_recv_const rotations: it fails itself.</summary>
public sealed record FailedToReceiveReport : TokenReport;

/// <summary>A multicast of another ring arrived: its source is a processor to merge with.</summary>
public sealed record ForeignRingReport(NodeId Source) : TokenReport;

/// <summary>A peer used a ring seq higher than any it was seen with before, in a token or a multicast: Membership judges its joins by it.</summary>
public sealed record PeerRingSeqReport(NodeId Sender, ulong RingSeq) : TokenReport;

/// <summary>The recovery finished and the ring is installed (the configuration changes have been delivered).</summary>
public sealed record InstalledReport(RingConfig Ring, ValueList<NodeId> Members, ValueList<NodeId> Joined, ValueList<NodeId> Left) : TokenReport;

/// <summary>An engine asks for a command to be told to TokenHolder, at this point of its output stream.</summary>
public sealed record TellTokenHolder(MembershipCommand Command) : SrpOutput;

/// <summary>An engine asks for a report to be told to Membership, at this point of its output stream.</summary>
public sealed record TellMembership(TokenReport Report) : SrpOutput;

/// <summary>
/// A message this node receives from itself (what corosync gets through loopback: its own joins, its token on
/// a singleton ring). The node feeds it back once the current input has been fully handled.
/// </summary>
public sealed record SelfDelivery(TotemMessage Message) : SrpOutput;
