using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Store;

/// <summary>Everything the replicated store asks of the world: the only way out.</summary>
public abstract record StoreOutput;

/// <summary>
/// Multicast this message through the ring on the services' lane with <see cref="DeliveryGuarantee.Safe"/>: a write
/// the writer sees delivered in its regular configuration has then been received by every member, and each delivers it
/// at the next token it takes (see <see cref="AwaitTokenRotation"/> for why that is not yet enough to acknowledge it).
/// </summary>
public sealed record MulticastStore(StoreMessage Message) : StoreOutput;

/// <summary>
/// Tell <see cref="TokenRotated"/> when this node next takes a token of <paramref name="Ring"/> while operational: the
/// writes applied before this was asked are then delivered on every member, and only then acknowledged.
/// </summary>
public sealed record AwaitTokenRotation(RingId Ring) : StoreOutput;

/// <summary>This member's part of the sync's process phase is multicast (summary, and the state when it is the source): send the barrier.</summary>
public sealed record StoreSyncProcessed(RingId Ring) : StoreOutput;

/// <summary>The write of request <paramref name="RequestId"/> was applied: the key's new version and the store's.</summary>
public sealed record WriteCompleted(ulong RequestId, StorePath Path, ulong KeyVersion, ulong StoreVersion) : StoreOutput;

/// <summary>The write of request <paramref name="RequestId"/> was not applied (or may not have been: <see cref="StoreErrorKind.OutcomeUnknown"/>).</summary>
public sealed record WriteFailed(ulong RequestId, StoreErrorKind Kind, string Reason) : StoreOutput;

/// <summary>A key changed on this node (the change feed): its new version, or the version of its removal.</summary>
public sealed record KeyChanged(StorePath Path, StoreOp Op, ulong KeyVersion, NodeId Writer) : StoreOutput;

/// <summary>A sync replaced this node's contents with <paramref name="Source"/>'s (the change feed's "resync").</summary>
public sealed record StateReplaced(ulong Version, RingId Epoch, NodeId Source) : StoreOutput;

/// <summary>
/// Keep this state on disk (--state-dir) and load it into a new engine at start. Each supersedes the earlier ones, so
/// the actor may write only the latest of a batch; it is emitted before the answer of the write that made it, so an
/// actor that writes it before acting on the following outputs never acknowledges a write it has not kept.
/// </summary>
public sealed record PersistSnapshot(StoreState State) : StoreOutput;

/// <summary>A log line as a structured template with its values.</summary>
public sealed record StoreLog(SrpLogLevel Level, string Template, object?[] Args) : StoreOutput;
