using System.Buffers.Binary;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Links;

/// <summary>What a link frame carries.</summary>
public enum LinkFrameKind : byte
{
    /// <summary>A ring datagram, numbered by the sender for the receiver's duplicate filter.</summary>
    Data = 1,

    /// <summary>A heartbeat; its value is the sender's clock when it was sent.</summary>
    Ping = 2,

    /// <summary>The answer to a ping on the same link, echoing the ping's value.</summary>
    Pong = 3,
}

/// <summary>
/// The header every datagram carries when a ring runs more than one link (knet's packet header, our layout; a
/// single-link ring sends bare Totem datagrams, as before links existed). It goes inside the seal, so the crypto
/// that protects the ring's messages protects the heartbeats too, on every link with the one key.
/// <code>
/// offset size
///  0      1  magic 0x4B ('K')
///  1      1  kind (1 data, 2 ping, 3 pong)
///  2      1  link number (0..7): the link it was sent on; it must be the one it arrives on
///  3      1  0 (reserved)
///  4      4  sender node id
///  8      8  sender's boot epoch (its restarts start the sequence afresh)
/// 16      8  data: sequence number; ping: the sender's clock in ticks; pong: the ping's, echoed
/// 24      -  data: the Totem datagram; ping and pong: nothing
/// </code>
/// Big-endian, like the Totem wire format.
/// </summary>
public readonly record struct LinkFrame(LinkFrameKind Kind, uint Link, NodeId Sender, ulong Epoch, ulong Value)
{
    public const int HeaderBytes = 24;
    public const byte Magic = 0x4B;

    /// <summary>Writes the header to the first <see cref="HeaderBytes"/> of <paramref name="into"/>.</summary>
    public void Write(Span<byte> into)
    {
        if (into.Length < HeaderBytes) throw new ArgumentException($"a link frame header needs {HeaderBytes} bytes", nameof(into));
        if (Link >= LinkSettings.MaxLinks) throw new InvalidOperationException($"link {Link} is not 0..7");
        into[0] = Magic;
        into[1] = (byte)Kind;
        into[2] = (byte)Link;
        into[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(into[4..], Sender.Value);
        BinaryPrimitives.WriteUInt64BigEndian(into[8..], Epoch);
        BinaryPrimitives.WriteUInt64BigEndian(into[16..], Value);
    }

    /// <summary>A whole datagram: this header, then <paramref name="payload"/> (data frames only).</summary>
    public byte[] ToDatagram(ReadOnlySpan<byte> payload = default)
    {
        if (Kind != LinkFrameKind.Data && !payload.IsEmpty) throw new InvalidOperationException($"a {Kind} frame carries no payload");
        var datagram = new byte[HeaderBytes + payload.Length];
        Write(datagram);
        payload.CopyTo(datagram.AsSpan(HeaderBytes));
        return datagram;
    }

    /// <summary>Reads a frame's header; on failure <paramref name="error"/> says what is wrong with the bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out LinkFrame frame, out string? error)
    {
        frame = default;
        if (datagram.Length < HeaderBytes)
        {
            error = $"link frame of {datagram.Length} bytes is shorter than its {HeaderBytes}-byte header";
            return false;
        }
        if (datagram[0] != Magic)
        {
            error = $"not a link frame: first byte 0x{datagram[0]:x2}, expected 0x{Magic:x2}";
            return false;
        }
        var kind = (LinkFrameKind)datagram[1];
        if (kind is not (LinkFrameKind.Data or LinkFrameKind.Ping or LinkFrameKind.Pong))
        {
            error = $"link frame of unknown kind {datagram[1]}";
            return false;
        }
        if (datagram[2] >= LinkSettings.MaxLinks || datagram[3] != 0)
        {
            error = $"link frame for link {datagram[2]} (reserved byte {datagram[3]}): links are 0..7, the reserved byte 0";
            return false;
        }
        if (kind != LinkFrameKind.Data && datagram.Length != HeaderBytes)
        {
            error = $"{kind} link frame of {datagram.Length} bytes: a heartbeat is exactly {HeaderBytes}";
            return false;
        }
        frame = new LinkFrame(kind, datagram[2], new NodeId(BinaryPrimitives.ReadUInt32BigEndian(datagram[4..])),
            BinaryPrimitives.ReadUInt64BigEndian(datagram[8..]), BinaryPrimitives.ReadUInt64BigEndian(datagram[16..]));
        error = null;
        return true;
    }
}
