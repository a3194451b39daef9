using Totem.Protocol.Wire;

namespace Totem.Protocol.Store;

/// <summary>A message of the replicated store on the ring (its sender is the ring's source of the message).</summary>
public abstract record StoreMessage(RingId Ring);

/// <summary>
/// A write, multicast by a quorate member and applied by every member where the ring delivers it. <see cref="StoreMessage.Ring"/>
/// is the ring it was sent in: a write that reaches a later ring (it sat in a send queue across a membership change)
/// is discarded by every member alike. <paramref name="ExpectedVersion"/>: null for an unconditional write, 0 for
/// "must not exist", else the key's version the writer read.
/// </summary>
public sealed record StoreWrite(RingId Ring, ulong RequestId, StoreOp Op, StorePath Path, ulong? ExpectedVersion, ValueList<byte> Value)
    : StoreMessage(Ring);

/// <summary>
/// What a member holds when the store's sync of <see cref="StoreMessage.Ring"/> reaches its process phase: store version,
/// epoch, digest, and whether votequorum called the member quorate in this ring.
/// </summary>
public sealed record StoreSummary(RingId Ring, ulong Version, RingId Epoch, bool Quorate, ValueList<byte> Digest) : StoreMessage(Ring)
{
    public const int DigestBytes = 32;
}

/// <summary>Part <paramref name="Index"/> of <paramref name="Count"/> of the chosen member's encoded state (<see cref="StoreStateCodec"/>).</summary>
public sealed record StoreStateChunk(RingId Ring, uint Index, uint Count, ValueList<byte> Data) : StoreMessage(Ring);
