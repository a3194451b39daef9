using Totem.Protocol.Store;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Messages;

// Between the ring (TokenHolder), votequorum and the store's actor, and the commands the facade sends it.

/// <summary>A store message delivered by the ring, in agreed order.</summary>
public sealed record StoreFrameDelivered(NodeId Source, ReadOnlyMemory<byte> Body);

/// <summary>The ring delivered a transitional configuration: what it delivers until the next regular one is old-ring recovery.</summary>
public sealed record TransitionalConfigurationDelivered(ValueList<NodeId> Members);

/// <summary>votequorum's verdict (its quorum callback) with the ring it was taken in; the ring hands it to the store.</summary>
public sealed record RingQuorumVerdict(bool Quorate, RingId? Ring);

/// <summary>The store asks the ring for <see cref="RingTokenTaken"/> at the next token of <paramref name="Ring"/> it takes while operational.</summary>
public sealed record AwaitRingToken(RingId Ring);

/// <summary>The ring took a token of <paramref name="Ring"/> while operational after the store's <see cref="AwaitRingToken"/>.</summary>
public sealed record RingTokenTaken(RingId Ring);

/// <summary>A client's write (put, or remove with an empty value); answered with a <see cref="Control.StoreWriteResult"/>.</summary>
public sealed record StoreWriteCommand(StoreOp Op, string Path, byte[] Value, ulong? ExpectedVersion);

/// <summary>A read of the local copy: the key's value, or with <paramref name="List"/> a directory's names; answered with a <see cref="Control.StoreReadResult"/>.</summary>
public sealed record StoreReadCommand(string Path, bool List);
