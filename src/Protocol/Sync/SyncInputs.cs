using Totem.Protocol.Wire;

namespace Totem.Protocol.Sync;

/// <summary>Everything that can happen to the synchronization service: the only way in.</summary>
public abstract record SyncInput;

/// <summary>The ring delivered a transitional configuration (sync_save_transitional; a sync in process is aborted).</summary>
public sealed record TransitionalDelivered(ValueList<NodeId> Members) : SyncInput;

/// <summary>The ring delivered a regular configuration (sync_start; a sync in process is aborted first).</summary>
public sealed record RegularDelivered(RingId Ring, ValueList<NodeId> Members) : SyncInput;

/// <summary>The ring delivered a sync message, in agreed order; <paramref name="Sender"/> is its source.</summary>
public sealed record SyncMessageDelivered(NodeId Sender, SyncMessage Message) : SyncInput;

/// <summary>A local service finished the process phase of ring <paramref name="Ring"/> (its sync_process returned 0).</summary>
public sealed record ServiceProcessed(byte Service, RingId Ring) : SyncInput;
