using System.Buffers.Binary;
using System.Text;
using Totem.Protocol.Pg;
using Totem.Protocol.Wire;
using Totem.Protocol.Wire.Codec;

namespace Totem.Protocol.Client;

/// <summary>
/// The local client protocol, version 1: what a program on a node's machine and the node exchange over the node's
/// Unix socket (corosync's CPG over libqb IPC, in spirit). A stream of frames, each
/// <code>
///   u32 length     bytes after this field (version .. end of body), 2 .. MaxFrameBytes
///   u8  version    1
///   u8  type
///   body           by type, below; integers big-endian as on the ring, strings u16 length + UTF-8
/// </code>
/// client -> node
///   0x01 MulticastBatch      u32 batch id, u32 count (1 .. MaxBatchMessages), count x (u32 length (0 .. MaxMessageBytes), bytes)
///   0x02 Subscribe           u8 what (1 messages, 2 configuration changes, 3 both)
/// node -> client
///   0x81 BatchAccepted       u32 batch id, u32 count, u64 first submission index
///   0x82 BatchTryAgain       u32 batch id, string reason  (nothing queued: send the batch again later)
///   0x83 Subscribed          u64 delivery index of the first message the subscription will see
///   0x84 DeliveredBatch      u32 count, count x (u64 index, u32 ring rep, u64 ring seq, u32 seq, u32 sender, u32 length, bytes)
///   0x85 ConfigurationChange u32 ring rep, u64 ring seq, members, joined, left (each u32 count, count x u32 node id)
///   0x86 ClientError         u8 code, string message; the node closes the connection after it
/// Replies to batches come in the order the batches were sent. Decoding never throws: a bad frame is an error
/// naming the field and its offset in the frame.
/// </summary>
public static class ClientFrameCodec
{
    public const byte Version = 1;

    /// <summary>The length prefix.</summary>
    public const int LengthBytes = 4;

    /// <summary>Version and type.</summary>
    public const int HeaderBytes = 2;

    /// <summary>The largest message: the packing layer's 1 MiB, less the byte that names the application's service on the ring.</summary>
    public const int MaxMessageBytes = PgLimits.MaxMessageBytes - 1;

    /// <summary>Messages in one batch: half the node's default send queue, so that a batch can always fit an emptied queue.</summary>
    public const int MaxBatchMessages = 1024;

    /// <summary>The largest frame (after the length prefix), either way: a few maximal messages, or many small ones.</summary>
    public const int MaxFrameBytes = 4 * 1024 * 1024;

    private const int MaxListNodes = 1024;
    private const int MaxStringBytes = 4096;

    /// <summary>Reads a length prefix; null with <paramref name="error"/> when it is outside 2 .. MaxFrameBytes.</summary>
    public static int? ReadLength(ReadOnlySpan<byte> prefix, out string? error)
    {
        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        error = length < HeaderBytes
            ? $"frame length {length} is shorter than the {HeaderBytes}-byte header (version, type)"
            : length > MaxFrameBytes
                ? $"frame length {length} is above the limit of {MaxFrameBytes} bytes"
                : null;
        return error is null ? (int)length : null;
    }

    /// <summary>Decodes one frame (the bytes after its length prefix); message payloads are slices of <paramref name="frame"/>.</summary>
    public static ClientDecodeResult Decode(ReadOnlyMemory<byte> frame)
    {
        var reader = new WireReader(frame.Span) { Scope = "frame" };
        var version = reader.U8("version");
        var type = reader.U8("type");
        if (reader.Failed) return Fail(ClientErrorCode.MalformedFrame, reader);
        if (version != Version)
            return ClientDecodeResult.Failure(ClientErrorCode.UnsupportedVersion, $"protocol version {version} is not spoken here; this node speaks version {Version}");
        reader.Scope = TypeName(type);
        ClientFrame? result = type switch
        {
            0x01 => ReadBatch(ref reader, frame),
            0x02 => ReadSubscribe(ref reader),
            0x81 => new BatchAccepted(reader.U32("batchId"), (int)reader.U32("count"), (long)reader.U64("firstIndex")),
            0x82 => new BatchTryAgain(reader.U32("batchId"), ReadString(ref reader, "reason")),
            0x83 => new Subscribed((long)reader.U64("nextIndex")),
            0x84 => ReadDelivered(ref reader, frame),
            0x85 => new ConfigurationChange(reader.Ring("ringId"), ReadNodes(ref reader, "members"), ReadNodes(ref reader, "joined"), ReadNodes(ref reader, "left")),
            0x86 => ReadError(ref reader),
            _ => null,
        };
        if (result is null && !reader.Failed)
            return ClientDecodeResult.Failure(ClientErrorCode.UnknownFrameType, $"unknown frame type 0x{type:x2} at offset 1");
        if (reader.Failed) return Fail(reader.Error == DecodeError.ListTooLong ? ClientErrorCode.TooLarge : ClientErrorCode.MalformedFrame, reader);
        if (reader.Remaining > 0)
            return ClientDecodeResult.Failure(ClientErrorCode.MalformedFrame, $"{reader.Scope} has {reader.Remaining} bytes after its last field (offset {reader.Position})");
        return ClientDecodeResult.Success(result!);
    }

    /// <summary>The frame with its length prefix, ready for the socket.</summary>
    public static byte[] Encode(ClientFrame frame)
    {
        var bytes = new byte[EncodedLength(frame)];
        EncodeInto(frame, bytes);
        return bytes;
    }

    /// <summary>Bytes of the frame with its length prefix: what <see cref="EncodeInto"/> needs.</summary>
    public static int EncodedLength(ClientFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var measure = WireWriter.Measuring();
        Write(ref measure, frame);
        return measure.Position;
    }

    /// <summary>
    /// Writes the frame with its length prefix at the start of <paramref name="destination"/> (a pooled buffer: a
    /// delivery frame is up to a few hundred KiB, which a fresh array would put on the large object heap each time).
    /// </summary>
    /// <returns>The bytes written, <see cref="EncodedLength"/>.</returns>
    public static int EncodeInto(ClientFrame frame, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var writer = WireWriter.Into(destination);
        Write(ref writer, frame);
        return writer.Position;
    }

    private static void Write(ref WireWriter w, ClientFrame frame)
    {
        var start = w.Position;
        w.U32(0);
        w.U8(Version);
        w.Scope = frame.GetType().Name;
        switch (frame)
        {
            case MulticastBatch b:
                w.U8(0x01);
                w.U32(b.BatchId);
                if (b.Messages.Count is 0 or > MaxBatchMessages) w.Fail("count", $"is {b.Messages.Count}; a batch has 1 .. {MaxBatchMessages} messages");
                w.U32((uint)b.Messages.Count);
                foreach (var m in b.Messages)
                {
                    if (m.Length > MaxMessageBytes) w.Fail("message", $"of {m.Length} bytes is above the limit of {MaxMessageBytes} bytes");
                    w.U32((uint)m.Length);
                    w.Raw(m.Span);
                }
                break;
            case Subscribe s:
                w.U8(0x02);
                w.U8((byte)s.What);
                break;
            case BatchAccepted a:
                w.U8(0x81);
                w.U32(a.BatchId);
                w.U32((uint)a.Count);
                w.U64((ulong)a.FirstIndex);
                break;
            case BatchTryAgain t:
                w.U8(0x82);
                w.U32(t.BatchId);
                WriteString(ref w, t.Reason);
                break;
            case Subscribed s:
                w.U8(0x83);
                w.U64((ulong)s.NextIndex);
                break;
            case DeliveredBatch d:
                w.U8(0x84);
                w.U32((uint)d.Messages.Count);
                foreach (var m in d.Messages)
                {
                    w.U64((ulong)m.Index);
                    w.Ring(m.RingId);
                    w.U32(m.Seq);
                    w.Node(m.Sender);
                    w.U32((uint)m.Payload.Length);
                    w.Raw(m.Payload.Span);
                }
                break;
            case ConfigurationChange c:
                w.U8(0x85);
                w.Ring(c.RingId);
                WriteNodes(ref w, "members", c.Members);
                WriteNodes(ref w, "joined", c.Joined);
                WriteNodes(ref w, "left", c.Left);
                break;
            case ClientError e:
                w.U8(0x86);
                w.U8((byte)e.Code);
                WriteString(ref w, e.Message);
                break;
            default:
                throw new ArgumentException($"no encoding for {frame.GetType().Name}", nameof(frame));
        }
        var length = w.Position - start - LengthBytes;
        if (length > MaxFrameBytes) w.Fail("length", $"is {length} bytes; a frame holds at most {MaxFrameBytes}");
        w.PatchU32(start, (uint)length);
    }

    private static MulticastBatch? ReadBatch(ref WireReader r, ReadOnlyMemory<byte> frame)
    {
        var id = r.U32("batchId");
        var count = r.Count("messages", MaxBatchMessages, 4);
        if (r.Failed) return null;
        if (count == 0)
        {
            r.Fail(DecodeError.InvalidValue, "messages", $"count is 0 at offset {r.Position - 4}; a batch has 1 .. {MaxBatchMessages} messages");
            return null;
        }
        var messages = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count && !r.Failed; i++)
        {
            var offset = r.Position;
            var length = r.U32($"messages[{i}].length");
            if (r.Failed) return null;
            if (length > MaxMessageBytes)
            {
                r.Fail(DecodeError.ListTooLong, $"messages[{i}]", $"is {length} bytes (length at offset {offset}), above the limit of {MaxMessageBytes} bytes");
                return null;
            }
            var at = r.Position;
            r.Skip((int)length, $"messages[{i}]");
            if (r.Failed) return null;
            messages[i] = frame.Slice(at, (int)length);
        }
        return r.Failed ? null : new MulticastBatch(id, messages);
    }

    private static Subscribe? ReadSubscribe(ref WireReader r)
    {
        var what = r.U8("what");
        if (!r.Failed && what is 0 or > 3) r.Fail(DecodeError.InvalidValue, "what", $"is {what} at offset {r.Position - 1}; 1 messages, 2 configuration changes, 3 both");
        return r.Failed ? null : new Subscribe((SubscribeTo)what);
    }

    private static DeliveredBatch? ReadDelivered(ref WireReader r, ReadOnlyMemory<byte> frame)
    {
        var count = r.Count("messages", MaxFrameBytes / 32, 32);
        var messages = new ClientDelivery[count];
        for (var i = 0; i < count && !r.Failed; i++)
        {
            var index = (long)r.U64("index");
            var ring = r.Ring("ringId");
            var seq = r.U32("seq");
            var sender = r.Node("sender");
            var length = r.Count($"messages[{i}]", MaxMessageBytes, 1);
            var at = r.Position;
            r.Skip(length, $"messages[{i}]");
            if (r.Failed) return null;
            messages[i] = new ClientDelivery(index, ring, seq, sender, frame.Slice(at, length));
        }
        return r.Failed ? null : new DeliveredBatch(messages);
    }

    private static ClientError? ReadError(ref WireReader r)
    {
        var code = r.U8("code");
        var message = ReadString(ref r, "message");
        return r.Failed ? null : new ClientError((ClientErrorCode)code, message);
    }

    private static ValueList<NodeId> ReadNodes(ref WireReader r, string field) =>
        r.List(field, MaxListNodes, 4, static (ref WireReader x) => x.Node("node"));

    private static void WriteNodes(ref WireWriter w, string field, ValueList<NodeId> nodes) =>
        w.List(field, nodes, MaxListNodes, static (ref WireWriter x, NodeId n) => x.Node(n));

    private static string ReadString(ref WireReader r, string field)
    {
        var offset = r.Position;
        var length = r.U16(field + ".length");
        if (r.Failed) return "";
        if (length > MaxStringBytes)
        {
            r.Fail(DecodeError.ListTooLong, field, $"is {length} bytes at offset {offset}, above {MaxStringBytes}");
            return "";
        }
        var bytes = r.Span(length, field);
        return r.Failed ? "" : Encoding.UTF8.GetString(bytes);
    }

    private static void WriteString(ref WireWriter w, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length > MaxStringBytes) bytes = bytes[..MaxStringBytes];
        w.U16((ushort)bytes.Length);
        w.Raw(bytes);
    }

    private static ClientDecodeResult Fail(ClientErrorCode code, WireReader reader) => ClientDecodeResult.Failure(code, reader.Detail ?? "malformed frame");

    private static string TypeName(byte type) => type switch
    {
        0x01 => nameof(MulticastBatch),
        0x02 => nameof(Subscribe),
        0x81 => nameof(BatchAccepted),
        0x82 => nameof(BatchTryAgain),
        0x83 => nameof(Subscribed),
        0x84 => nameof(DeliveredBatch),
        0x85 => nameof(ConfigurationChange),
        0x86 => nameof(ClientError),
        _ => $"frame type 0x{type:x2}",
    };
}
