using Totem.Protocol.Wire;

namespace Totem.Nodes.Control;

/// <summary>
/// An application message as this node delivered it (agreed order). <see cref="Index"/> is the
/// node's delivery counter; (RingId, Seq, Sender, Payload) must be the same on every node that
/// delivered it. The payload is never mutated after publication.
/// </summary>
public sealed record DeliveredApplicationMessage(
    long Index,
    RingId RingId,
    uint Seq,
    NodeId Sender,
    ReadOnlyMemory<byte> Payload,
    DateTimeOffset DeliveredAt);
