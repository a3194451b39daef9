using System.Text;
using Totem.Protocol.Wire;
using Totem.Protocol.Wire.Codec;

namespace Totem.Protocol.Store;

/// <summary>
/// The body of a store message on the ring (the service byte in front of it is the node's service framing), in
/// network byte order: message id (0 write, 1 summary, 2 state chunk), the ring id, then
/// write: request id, op, has-expected flag, expected version (0 without the flag), path (u32 length, UTF-8), value (u32 length, bytes);
/// summary: store version, epoch, quorate flag, 32-byte digest;
/// chunk: index, count, data (u32 length, bytes).
/// Every message has one encoding; none is larger than <see cref="StoreLimits.MaxMessageBytes"/>.
/// </summary>
public static class StoreMessageCodec
{
    private const byte WriteId = 0;
    private const byte SummaryId = 1;
    private const byte ChunkId = 2;
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static byte[] Encode(StoreMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var measuring = WireWriter.Measuring();
        Fields(ref measuring, message);
        var bytes = new byte[measuring.Position];
        var writer = WireWriter.Into(bytes);
        Fields(ref writer, message);
        return bytes;
    }

    /// <summary>Decodes a store payload; throws <see cref="FormatException"/> naming the field and offset that are wrong.</summary>
    public static StoreMessage Decode(ReadOnlySpan<byte> payload)
    {
        if (payload.Length == 0) throw new FormatException("store message is empty");
        if (payload.Length > StoreLimits.MaxMessageBytes)
            throw new FormatException($"store message has {payload.Length} bytes, the limit is {StoreLimits.MaxMessageBytes}");
        var reader = new WireReader(payload);
        var id = reader.U8("Id");
        StoreMessage? message = id switch
        {
            WriteId => ReadWrite(ref reader),
            SummaryId => ReadSummary(ref reader),
            ChunkId => ReadChunk(ref reader),
            _ => null,
        };
        if (message is null && !reader.Failed) throw new FormatException($"unknown store message id {id} (byte 0)");
        if (!reader.Failed && reader.Remaining > 0)
            reader.Fail(DecodeError.LengthMismatch, "End", $"{reader.Remaining} bytes follow the last field at offset {reader.Position}");
        if (reader.Failed) throw new FormatException($"store message: {reader.Detail}");
        return message!;
    }

    private static StoreWrite? ReadWrite(ref WireReader r)
    {
        r.Scope = "StoreWrite";
        var ring = r.Ring("Ring");
        var requestId = r.U64("RequestId");
        var opOffset = r.Position;
        var op = (StoreOp)r.U8("Op");
        if (!r.Failed && !Enum.IsDefined(op)) r.Fail(DecodeError.InvalidValue, "Op", $"is {(byte)op} at offset {opOffset}; 0 put and 1 remove are known");
        var hasExpected = r.Bool("HasExpected");
        var expectedOffset = r.Position;
        var expected = r.U64("ExpectedVersion");
        if (!r.Failed && !hasExpected && expected != 0)
            r.Fail(DecodeError.InvalidValue, "ExpectedVersion", $"is {expected} at offset {expectedOffset} without the has-expected flag");
        var pathOffset = r.Position;
        var path = ReadPath(ref r, "Path");
        if (!r.Failed && path!.IsRoot) r.Fail(DecodeError.InvalidValue, "Path", $"at offset {pathOffset} is the root, which holds no value");
        var valueOffset = r.Position;
        var value = r.Bytes("Value", StoreLimits.MaxValueBytes);
        if (!r.Failed && op == StoreOp.Remove && value.Count > 0)
            r.Fail(DecodeError.InvalidValue, "Value", $"at offset {valueOffset} has {value.Count} bytes; a remove carries none");
        return r.Failed ? null : new StoreWrite(ring, requestId, op, path!, hasExpected ? expected : null, value);
    }

    private static StoreSummary? ReadSummary(ref WireReader r)
    {
        r.Scope = "StoreSummary";
        var ring = r.Ring("Ring");
        var version = r.U64("Version");
        var epoch = r.Ring("Epoch");
        var quorate = r.Bool("Quorate");
        if (r.Remaining < StoreSummary.DigestBytes && !r.Failed)
            r.Fail(DecodeError.Truncated, "Digest", $"needs {StoreSummary.DigestBytes} bytes at offset {r.Position} but the message has {r.Remaining} left");
        var digest = new byte[StoreSummary.DigestBytes];
        for (var i = 0; i < digest.Length && !r.Failed; i++) digest[i] = r.U8("Digest");
        return r.Failed ? null : new StoreSummary(ring, version, epoch, quorate, digest.ToValueList());
    }

    private static StoreStateChunk? ReadChunk(ref WireReader r)
    {
        r.Scope = "StoreStateChunk";
        var ring = r.Ring("Ring");
        var indexOffset = r.Position;
        var index = r.U32("Index");
        var count = r.U32("Count");
        if (!r.Failed && (count == 0 || count > StoreLimits.MaxChunks))
            r.Fail(DecodeError.InvalidValue, "Count", $"is {count} at offset {indexOffset + 4}; a transfer has 1..{StoreLimits.MaxChunks} chunks");
        else if (!r.Failed && index >= count)
            r.Fail(DecodeError.InvalidValue, "Index", $"is {index} at offset {indexOffset}, not below the count {count}");
        var data = r.Bytes("Data", StoreLimits.MaxChunkBytes);
        return r.Failed ? null : new StoreStateChunk(ring, index, count, data);
    }

    private static void Fields(ref WireWriter w, StoreMessage message)
    {
        switch (message)
        {
            case StoreWrite write:
                w.Scope = "StoreWrite";
                if (write.Path.IsRoot) w.Fail("Path", "is the root, which holds no value");
                if (write.Op == StoreOp.Remove && write.Value.Count > 0) w.Fail("Value", "of a remove must be empty");
                w.U8(WriteId);
                w.Ring(write.Ring);
                w.U64(write.RequestId);
                w.U8((byte)write.Op);
                w.Bool(write.ExpectedVersion is not null);
                w.U64(write.ExpectedVersion ?? 0);
                WritePath(ref w, write.Path);
                w.Bytes("Value", write.Value, StoreLimits.MaxValueBytes);
                break;
            case StoreSummary summary:
                w.Scope = "StoreSummary";
                if (summary.Digest.Count != StoreSummary.DigestBytes) w.Fail("Digest", $"has {summary.Digest.Count} bytes, not {StoreSummary.DigestBytes}");
                w.U8(SummaryId);
                w.Ring(summary.Ring);
                w.U64(summary.Version);
                w.Ring(summary.Epoch);
                w.Bool(summary.Quorate);
                foreach (var b in summary.Digest) w.U8(b);
                break;
            case StoreStateChunk chunk:
                w.Scope = "StoreStateChunk";
                if (chunk.Count == 0 || chunk.Count > StoreLimits.MaxChunks || chunk.Index >= chunk.Count)
                    w.Fail("Index", $"{chunk.Index} of {chunk.Count} is not a chunk of a 1..{StoreLimits.MaxChunks}-chunk transfer");
                w.U8(ChunkId);
                w.Ring(chunk.Ring);
                w.U32(chunk.Index);
                w.U32(chunk.Count);
                w.Bytes("Data", chunk.Data, StoreLimits.MaxChunkBytes);
                break;
            default:
                throw new ArgumentException($"unknown store message {message.GetType().Name}", nameof(message));
        }
    }

    internal static void WritePath(ref WireWriter w, StorePath path) =>
        w.Bytes("Path", Encoding.UTF8.GetBytes(path.Value).ToValueList(), StoreLimits.MaxPathBytes);

    /// <summary>Reads a path (u32 length, UTF-8) and validates it; null (and the reader failed) when it is not a valid path.</summary>
    internal static StorePath? ReadPath(ref WireReader r, string field)
    {
        var offset = r.Position;
        var bytes = r.Bytes(field, StoreLimits.MaxPathBytes);
        if (r.Failed) return null;
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes.Items.AsSpan());
        }
        catch (DecoderFallbackException)
        {
            r.Fail(DecodeError.InvalidValue, field, $"at offset {offset} is not UTF-8");
            return null;
        }
        if (!StorePath.TryParse(text, out var path, out var error))
        {
            r.Fail(DecodeError.InvalidValue, field, $"at offset {offset}: {error}");
            return null;
        }
        return path;
    }
}
