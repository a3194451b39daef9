using Totem.Nodes.Services;
using Totem.Nodes.Transport;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Messages;

// The messages the actors of one node exchange. Each is a fact or a command; none carries mutable state.

/// <summary>The ring asks the adapter to put a Totem message on the wire (Destination null: every peer).</summary>
public sealed record SendTotemMessage(TotemMessage Message, NodeId? Destination);

/// <summary>A service asks the ring to multicast a message in agreed order.</summary>
public sealed record Broadcast(ServiceId Service, byte[] Body, DeliveryGuarantee Guarantee);

/// <summary>A votequorum message delivered by the ring, in total order.</summary>
public sealed record QuorumMessageDelivered(NodeId Source, ReadOnlyMemory<byte> Body);

/// <summary>The ring installed a new regular configuration.</summary>
public sealed record RingInstalled(RingId RingId, ValueList<NodeId> Members);

/// <summary>The node is shutting down: send the leave, then confirm to the asker.</summary>
public sealed record LeaveRingCommand;

public sealed record LeaveSent;

/// <summary>votequorum's verdict after a membership change or a node-info exchange.</summary>
public sealed record QuorumVerdict(bool Quorate);

/// <summary>Operator command `pvecm expected N`; answered with a SetExpectedVotesResult.</summary>
public sealed record SetExpectedVotesCommand(uint Votes);

/// <summary>The application asks to multicast a message; answered with a Control.SubmitResult.</summary>
public sealed record SubmitApplicationMessage(byte[] Payload);

/// <summary>One of the ring's protocol timers expired (a keyed timer: an expiry that crossed a re-arm or a stop is dropped by Akka).</summary>
public sealed record RingTimerExpired(SrpTimer Timer);

/// <summary>The facade asks the node daemon for an orderly shutdown (leave, flush, stop).</summary>
public sealed record LeaveAndStop;

/// <summary>Answered with Flushed once every datagram queued before it is on the wire.</summary>
public sealed record FlushTransport;

public sealed record Flushed;
