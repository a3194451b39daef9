using Totem.Protocol.Wire;

namespace Totem.Protocol.Sync;

/// <summary>A message of the synchronization service (corosync's exec/sync.c) on the ring, always of one ring.</summary>
public abstract record SyncMessage(RingId Ring);

/// <summary>MESSAGE_REQ_SYNC_SERVICE_BUILD: the sender's services that take part in the sync of <see cref="SyncMessage.Ring"/>.</summary>
public sealed record SyncServiceBuild(RingId Ring, ValueList<byte> Services) : SyncMessage(Ring);

/// <summary>MESSAGE_REQ_SYNC_BARRIER: the sender finished the process phase of the service being synchronized.</summary>
public sealed record SyncBarrier(RingId Ring) : SyncMessage(Ring);
