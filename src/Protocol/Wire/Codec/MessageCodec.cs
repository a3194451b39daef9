namespace Totem.Protocol.Wire.Codec;

/// <summary>
/// The encode/decode pair of one message type's body (everything after the common header).
/// Adding a message: a record in TotemMessages.cs, a <see cref="TotemMessageType"/> number, a subclass
/// of <see cref="MessageCodec{T}"/> and one line in <see cref="TotemCodec"/>'s codec table.
/// </summary>
internal abstract class MessageCodec
{
    public abstract TotemMessageType Type { get; }
    public abstract Type MessageClass { get; }
    public abstract void EncodeBody(TotemMessage message, ref WireWriter writer);
    public abstract TotemMessage DecodeBody(NodeId sender, ref WireReader reader);
}

internal abstract class MessageCodec<T> : MessageCodec where T : TotemMessage
{
    public sealed override Type MessageClass => typeof(T);

    public sealed override void EncodeBody(TotemMessage message, ref WireWriter writer) => Encode((T)message, ref writer);

    public sealed override TotemMessage DecodeBody(NodeId sender, ref WireReader reader) => Decode(sender, ref reader);

    protected abstract void Encode(T message, ref WireWriter writer);

    /// <summary>Reads the body; the result is discarded when the reader has failed.</summary>
    protected abstract T Decode(NodeId sender, ref WireReader reader);
}
