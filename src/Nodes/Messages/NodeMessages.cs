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

// The service synchronization protocol (corosync's sync callbacks) between the ring's ServiceSync and a service
// actor that takes part in it (votequorum; a later service plugs in by being registered with the ring under its
// ServiceId and answering these): init for every new ring, process (exchange state through the ring, then answer
// ServiceSyncProcessed), activate once every member's barrier is in, abort when a membership change overtakes the
// round. The ring sends them in the order the protocol makes them; a service handles each at once.

/// <summary>sync_init: a new regular configuration; <paramref name="Transitional"/> are the members that came from our old ring.</summary>
public sealed record ServiceSyncInit(RingId Ring, ValueList<NodeId> Transitional, ValueList<NodeId> Members);

/// <summary>sync_process: multicast this service's state for <paramref name="Ring"/>, then answer <see cref="ServiceSyncProcessed"/>.</summary>
public sealed record ServiceSyncProcess(RingId Ring);

/// <summary>The service multicast its state for <paramref name="Ring"/> (sent after those multicasts, so the barrier follows them).</summary>
public sealed record ServiceSyncProcessed(ServiceId Service, RingId Ring);

/// <summary>sync_activate: every member's state for this service is in; the synchronized state applies.</summary>
public sealed record ServiceSyncActivate(RingId Ring);

/// <summary>sync_abort: a membership change overtook the round.</summary>
public sealed record ServiceSyncAbort;

/// <summary>
/// The node is shutting down: votequorum announces the leave when allow_downscale is set (votequorum_exec_exit_fn),
/// answered with <see cref="LeaveAnnounced"/> once that node-info came back through the ring, or at once when there is
/// nothing to announce.
/// </summary>
public sealed record AnnounceLeavingCommand;

/// <summary>The answer to <see cref="AnnounceLeavingCommand"/>: <paramref name="Announced"/> is false when allow_downscale is off.</summary>
public sealed record LeaveAnnounced(bool Announced);

/// <summary>The node is shutting down: send the leave, then confirm to the asker.</summary>
public sealed record LeaveRingCommand;

public sealed record LeaveSent;

/// <summary>votequorum's verdict after a membership change or a node-info exchange.</summary>
public sealed record QuorumVerdict(bool Quorate);

/// <summary>Operator command `pvecm expected N`; answered with a SetExpectedVotesResult.</summary>
public sealed record SetExpectedVotesCommand(uint Votes);

/// <summary>The application asks to multicast a message; answered with a Control.SubmitResult.</summary>
public sealed record SubmitApplicationMessage(byte[] Payload);

/// <summary>
/// The application asks to multicast these messages, all or none (the facade's submissions, HTTP and the client
/// socket alike); answered with an <see cref="ApplicationBatchSubmitted"/> carrying the same ticket.
/// </summary>
/// <param name="Payloads">Never mutated by their giver once sent.</param>
public sealed record SubmitApplicationBatch(long Ticket, IReadOnlyList<ReadOnlyMemory<byte>> Payloads);

/// <summary>TokenHolder's answer to a <see cref="SubmitApplicationBatch"/>: accepted (submission indexes from Result's) or refused whole.</summary>
public sealed record ApplicationBatchSubmitted(long Ticket, Control.SubmitResult Result);

/// <summary>One of the ring's protocol timers expired (a keyed timer: an expiry that crossed a re-arm or a stop is dropped by Akka).</summary>
public sealed record RingTimerExpired(SrpTimer Timer);

/// <summary>The facade asks the node daemon for an orderly shutdown (leave, flush, stop).</summary>
public sealed record LeaveAndStop;

/// <summary>Answered with Flushed once every datagram queued before it is on the wire.</summary>
public sealed record FlushTransport;

public sealed record Flushed;

/// <summary>Operator command `corosync-cfgtool -R`: every member re-reads its config file; answered with a <see cref="ConfigReloadRequested"/>.</summary>
public sealed record ReloadConfigCommand;

/// <summary>The reload request is on its way through the ring; its members' answers carry (<paramref name="Requester"/>, <paramref name="RequestId"/>).</summary>
public sealed record ConfigReloadRequested(NodeId Requester, uint RequestId);

/// <summary>A cfg message delivered by the ring, in total order.</summary>
public sealed record CfgMessageDelivered(NodeId Source, ReadOnlyMemory<byte> Body);

/// <summary>A reload changed the ring's timing: both halves of the ring re-time their engines with it.</summary>
public sealed record TimeoutsReloaded(Protocol.Config.TotemTimeouts Timeouts);
