using Totem.Protocol.Wire;

namespace Totem.Protocol.Store;

/// <summary>Everything that can happen to the replicated store: the only way in.</summary>
public abstract record StoreInput;

/// <summary>
/// A client asks this node to write (put or remove <paramref name="Path"/>, as the client typed it). <paramref name="RequestId"/>
/// is the node's own number for it, unique among its pending writes; the answer names it.
/// </summary>
public sealed record WriteRequested(ulong RequestId, StoreOp Op, string Path, ValueList<byte> Value, ulong? ExpectedVersion) : StoreInput;

/// <summary>
/// votequorum's verdict as the node acts on it (its quorum callback, QuorumChanged), with the ring it was taken in. A
/// verdict of another ring than the current one counts as not quorate: a write or a sync summary never leans on a
/// verdict that the membership change has not yet revised.
/// </summary>
public sealed record QuorumVerdictChanged(bool Quorate, RingId? Ring) : StoreInput;

/// <summary>The ring delivered a transitional configuration: what it delivers until the next regular one is old-ring recovery.</summary>
public sealed record TransitionalConfiguration(ValueList<NodeId> Members) : StoreInput;

/// <summary>sync_init: the regular configuration <paramref name="Ring"/> was installed with <paramref name="Members"/>.</summary>
public sealed record StoreSyncInit(RingId Ring, ValueList<NodeId> Members) : StoreInput;

/// <summary>sync_process: multicast this member's summary; the engine answers <see cref="StoreSyncProcessed"/> once its part is sent.</summary>
public sealed record StoreSyncProcess(RingId Ring) : StoreInput;

/// <summary>sync_activate: every member's barrier for the store is in, so every summary and chunk before them too.</summary>
public sealed record StoreSyncActivate(RingId Ring) : StoreInput;

/// <summary>sync_abort: a membership change overtook the round.</summary>
public sealed record StoreSyncAbort : StoreInput;

/// <summary>The ring delivered a store message in agreed order; <paramref name="Sender"/> is its source.</summary>
public sealed record StoreMessageDelivered(NodeId Sender, StoreMessage Message) : StoreInput;

/// <summary>
/// Answers <see cref="AwaitTokenRotation"/>: this node took a token of <paramref name="Ring"/> while operational after
/// it was asked, so every other member has taken the token since and delivered what was safe then.
/// </summary>
public sealed record TokenRotated(RingId Ring) : StoreInput;
