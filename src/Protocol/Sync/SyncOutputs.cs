using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Sync;

/// <summary>Everything the synchronization service asks of the world: the only way out.</summary>
public abstract record SyncOutput;

/// <summary>Multicast this sync message through the ring (agreed order, on the services' lane).</summary>
public sealed record MulticastSync(SyncMessage Message) : SyncOutput;

/// <summary>sync_init of a local service: a new ring's sync starts (<paramref name="Transitional"/>: members that came from our old ring).</summary>
public sealed record InitService(byte Service, RingId Ring, ValueList<NodeId> Transitional, ValueList<NodeId> Members) : SyncOutput;

/// <summary>sync_process of a local service: exchange your state through the ring, then answer <see cref="ServiceProcessed"/>.</summary>
public sealed record ProcessService(byte Service, RingId Ring) : SyncOutput;

/// <summary>sync_activate: every member's barrier for this service arrived; its synchronized state is now in force.</summary>
public sealed record ActivateService(byte Service, RingId Ring) : SyncOutput;

/// <summary>sync_abort: a membership change overtook the sync of this service; drop what this round gathered.</summary>
public sealed record AbortService(byte Service) : SyncOutput;

/// <summary>
/// Every service passed its barrier on every member: the node provides service (main.c's corosync_sync_completed,
/// which acknowledges the ring to totemsrp). Counts are of this round: sync messages this node sent and the
/// sync messages of every member it delivered, and the rounds aborted since the last completion.
/// </summary>
public sealed record SyncCompleted(RingId Ring, int Services, int MessagesSent, int MessagesDelivered, int RoundsAborted) : SyncOutput;

/// <summary>A log line in corosync's wording as a structured template with its values.</summary>
public sealed record SyncLog(SrpLogLevel Level, string Template, object?[] Args) : SyncOutput;
