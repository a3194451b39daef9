using System.Buffers;
using System.Collections.Frozen;
using Totem.Protocol.Wire.Codec;

namespace Totem.Protocol.Wire;

/// <summary>
/// The binary form of <see cref="TotemMessage"/>s. Layout, all integers in network byte order (big-endian):
/// <code>
/// header : magic u16 (0x546D, "Tm") | version u8 (1) | type u8 (TotemMessageType) | sender u32
/// RingId : representative u32 | seq u64
/// bool   : u8, 0 or 1 only
/// list   : count u32 | entries (each list has a limit: MaxMembers, MaxRetransmitEntries, MaxPayloadSize)
/// </code>
/// followed by the body of the message type, fields in the order of the record's parameters (see the
/// codec classes in Wire/Codec). Every message has exactly one encoding, so a decoded datagram re-encodes
/// to the same bytes. Decoding never throws and allocates only for lists the datagram really contains.
/// </summary>
public static class TotemCodec
{
    /// <summary>Differs from corosync's 0xC070 so that real corosync traffic on the same port is rejected, not misread.</summary>
    public const ushort Magic = 0x546D;
    public const byte ProtocolVersion = 1;
    public const int HeaderSize = 8;

    /// <summary>The largest UDP payload over IPv4 (65535 - 20 IP - 8 UDP): one message per datagram, no fragmentation layer.</summary>
    public const int MaxDatagramSize = 65507;

    /// <summary>corosync's PROCESSOR_COUNT_MAX: the longest proc, failed and commit-token member list.</summary>
    public const int MaxMembers = 384;

    /// <summary>corosync's RETRANSMIT_ENTRIES_MAX: the token carries at most this many retransmit requests.</summary>
    public const int MaxRetransmitEntries = 30;

    /// <summary>The most data one multicast's frame of one piece may carry: what still fits when recovery encapsulates it in a multicast of the new ring (the netmtu keeps real frames far smaller).</summary>
    public const int MaxPayloadSize =
        MaxDatagramSize - HeaderSize - McastMessageCodec.BodyOverhead - McastMessageCodec.EncapsulationOverhead - PgFrameCodec.PieceOverhead;

    // The one table of message codecs; the type byte and the record class both lead here.
    private static readonly MessageCodec[] Codecs =
    [
        new OrfTokenCodec(),
        new McastMessageCodec(),
        new MergeDetectCodec(),
        new JoinMessageCodec(),
        new CommitTokenCodec(),
        new TokenHoldCancelCodec(),
        new LeaveMessageCodec(),
    ];

    private static readonly FrozenDictionary<byte, MessageCodec> ByType =
        Codecs.ToFrozenDictionary(c => (byte)c.Type);

    private static readonly FrozenDictionary<Type, MessageCodec> ByClass =
        Codecs.ToFrozenDictionary(c => c.MessageClass);

    /// <summary>The message types this build can encode and decode.</summary>
    public static IReadOnlyCollection<Type> SupportedMessageClasses => ByClass.Keys;

    /// <summary>The encoded size of <paramref name="message"/>; throws <see cref="ArgumentException"/> if it breaks a wire limit.</summary>
    public static int GetEncodedSize(TotemMessage message)
    {
        var writer = WireWriter.Measuring();
        Write(message, ref writer);
        if (writer.Position > MaxDatagramSize)
            throw new ArgumentException(
                $"{message.GetType().Name} encodes to {writer.Position} bytes; the largest datagram is {MaxDatagramSize} bytes.",
                nameof(message));
        return writer.Position;
    }

    public static byte[] Encode(TotemMessage message)
    {
        var bytes = new byte[GetEncodedSize(message)];
        var writer = WireWriter.Into(bytes);
        Write(message, ref writer);
        return bytes;
    }

    /// <summary>Encodes into <paramref name="destination"/> and returns the number of bytes written.</summary>
    public static int Encode(TotemMessage message, Span<byte> destination)
    {
        var size = GetEncodedSize(message);
        if (destination.Length < size)
            throw new ArgumentException(
                $"{message.GetType().Name} needs {size} bytes but the destination has {destination.Length}.", nameof(destination));
        var writer = WireWriter.Into(destination[..size]);
        Write(message, ref writer);
        return size;
    }

    public static void Encode(TotemMessage message, IBufferWriter<byte> destination)
    {
        var written = Encode(message, destination.GetSpan(GetEncodedSize(message)));
        destination.Advance(written);
    }

    public static DecodeResult Decode(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > MaxDatagramSize)
            return DecodeResult.Failure(DecodeError.Oversize,
                $"datagram of {datagram.Length} bytes exceeds the maximum of {MaxDatagramSize}");
        if (datagram.Length < HeaderSize)
            return DecodeResult.Failure(DecodeError.TooShort,
                $"datagram of {datagram.Length} bytes is shorter than the {HeaderSize}-byte header");

        var reader = new WireReader(datagram) { Scope = "Header" };
        var magic = reader.U16("Magic");
        if (magic != Magic)
            return DecodeResult.Failure(DecodeError.BadMagic, $"magic 0x{magic:X4} is not 0x{Magic:X4}");
        var version = reader.U8("Version");
        if (version != ProtocolVersion)
            return DecodeResult.Failure(DecodeError.UnsupportedVersion,
                $"protocol version {version} is not supported (this build speaks {ProtocolVersion})");
        var type = reader.U8("Type");
        if (!ByType.TryGetValue(type, out var codec))
            return DecodeResult.Failure(DecodeError.UnknownType, $"message type {type} is unknown");
        var sender = reader.Node("Sender");

        reader.Scope = codec.MessageClass.Name;
        var message = codec.DecodeBody(sender, ref reader);
        if (reader.Error is { } error)
            return DecodeResult.Failure(error, reader.Detail!);
        if (reader.Remaining != 0)
            return DecodeResult.Failure(DecodeError.LengthMismatch,
                $"{reader.Remaining} bytes follow the end of the {codec.MessageClass.Name} at offset {reader.Position}");
        return DecodeResult.Success(message);
    }

    private static void Write(TotemMessage message, ref WireWriter writer)
    {
        if (!ByClass.TryGetValue(message.GetType(), out var codec))
            throw new ArgumentException($"{message.GetType().Name} has no wire codec.", nameof(message));
        writer.Scope = codec.MessageClass.Name;
        writer.U16(Magic);
        writer.U8(ProtocolVersion);
        writer.U8((byte)codec.Type);
        writer.Node(message.Sender);
        codec.EncodeBody(message, ref writer);
    }
}
