namespace Totem.Protocol.Wire;

/// <summary>Which guarantee a multicast asks for: agreed (total order) or safe (delivered once every member has it).</summary>
public enum DeliveryGuarantee : byte { Agreed = 0, Safe = 1 }

/// <summary>
/// Every datagram starts with a header (protocol version, message type, sender node id);
/// <see cref="Sender"/> is the node that put this datagram on the wire.
/// </summary>
public abstract record TotemMessage(NodeId Sender);

/// <summary>The ordering token (corosync's orf_token).</summary>
public sealed record OrfToken(
    NodeId Sender,
    RingId RingId,
    uint Seq,              // highest sequence number assigned on this ring
    uint TokenSeq,         // incremented at every token transmission, to discard duplicate tokens
    uint Aru,              // all-received-up-to
    NodeId AruAddr,        // the node that last lowered aru (zero value = none)
    uint Backlog,          // messages waiting to be sent, summed over the ring (flow control)
    uint Fcc,              // messages multicast during the last rotation (flow control)
    bool RetransFlg,       // a retransmission is under way (recovery)
    ValueList<uint> RetransmitList) : TotemMessage(Sender);

/// <summary>
/// A multicast of the ring (corosync's mcast). <see cref="Source"/> is its originator; <see cref="TotemMessage.Sender"/>
/// may differ when another member retransmits it. In RECOVERY an old ring's message travels on the new ring
/// inside <see cref="Encapsulated"/> (then <see cref="Frame"/> is empty). <see cref="Frame"/> packs the application's
/// messages (see <see cref="PgFrame"/>); <see cref="Guarantee"/> applies to all of them.
/// </summary>
public sealed record McastMessage(
    NodeId Sender,
    RingId RingId,
    uint Seq,
    NodeId Source,
    DeliveryGuarantee Guarantee,
    PgFrame Frame,
    McastMessage? Encapsulated) : TotemMessage(Sender);

/// <summary>A join of the membership protocol: the sender's view of live (proc) and failed processors.</summary>
public sealed record JoinMessage(
    NodeId Sender,
    ulong RingSeq,
    ValueList<NodeId> ProcList,
    ValueList<NodeId> FailedList) : TotemMessage(Sender);

/// <summary>One member's entry in the commit token: what it has of its old ring.</summary>
public sealed record CommitMember(
    NodeId Node,
    RingId OldRingId,
    uint Aru,
    uint HighDelivered,
    bool ReceivedFlg);

/// <summary>The commit token the representative creates; it rotates twice around the new ring.</summary>
public sealed record CommitToken(
    NodeId Sender,
    RingId RingId,
    uint TokenSeq,
    int MemberIndex,
    ValueList<CommitMember> Members) : TotemMessage(Sender);

/// <summary>Sent by a ring's representative to non-members so that two rings that see each other merge.</summary>
public sealed record MergeDetect(NodeId Sender, RingId RingId) : TotemMessage(Sender);

/// <summary>Asks the token holder to stop holding the token on an idle ring because the sender has something to send.</summary>
public sealed record TokenHoldCancel(NodeId Sender, RingId RingId) : TotemMessage(Sender);

/// <summary>
/// A processor leaving the ring on shutdown (corosync's memb_leave_message_send: a join whose failed list
/// ends with the leaver, marked by the reserved sender id 0). <see cref="TotemMessage.Sender"/> is the leaver;
/// <see cref="ProcList"/> is its membership without itself, <see cref="FailedList"/> its failed set plus itself.
/// Receivers reform at once instead of waiting for the token timeout, and do not count it toward consensus.
/// </summary>
public sealed record LeaveMessage(
    NodeId Sender,
    ulong RingSeq,
    ValueList<NodeId> ProcList,
    ValueList<NodeId> FailedList) : TotemMessage(Sender);
