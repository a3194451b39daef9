using System.Text;
using Totem.Protocol.Wire;
using Totem.Protocol.Wire.Codec;

namespace Totem.Protocol.Store;

/// <summary>
/// The one encoding of a whole store, for the snapshot a node keeps on disk and for the state a sync transfers in
/// chunks (network byte order): magic "TSST", format 1, epoch (representative, seq), store version, key count, then
/// each key in path order: path (u32 length, UTF-8), version, value (u32 length, bytes). Canonical, so equal stores
/// encode to equal bytes and the digest is the hash of the encoding (with the epoch zeroed).
/// </summary>
public static class StoreStateCodec
{
    private const uint Magic = 0x54535354;
    private const byte Format = 1;
    private const int EntryMinBytes = 4 + 8 + 4;

    public static byte[] Encode(StoreState state) => Write(state, withEpoch: true);

    /// <summary>The encoding with the epoch zeroed: what <see cref="StoreState.Digest"/> hashes.</summary>
    internal static byte[] EncodeContent(StoreState state) => Write(state, withEpoch: false);

    /// <summary>Decodes a snapshot or a transferred state; throws <see cref="FormatException"/> naming the field, entry and offset.</summary>
    public static StoreState Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new WireReader(bytes) { Scope = "StoreState" };
        var magic = reader.U32("Magic");
        if (!reader.Failed && magic != Magic) reader.Fail(DecodeError.BadMagic, "Magic", $"is 0x{magic:x8}, not 0x{Magic:x8} (not a store snapshot)");
        var format = reader.U8("Format");
        if (!reader.Failed && format != Format) reader.Fail(DecodeError.UnsupportedVersion, "Format", $"is {format}; this build reads format {Format}");
        var epoch = reader.Ring("Epoch");
        var version = reader.U64("Version");
        var count = reader.Count("Keys", StoreLimits.MaxKeys, EntryMinBytes);
        var entries = new List<KeyValuePair<StorePath, StoreEntry>>(reader.Failed ? 0 : count);
        StorePath? previous = null;
        for (var i = 0; i < count && !reader.Failed; i++)
        {
            var offset = reader.Position;
            var path = StoreMessageCodec.ReadPath(ref reader, $"Keys[{i}].Path");
            var keyVersion = reader.U64($"Keys[{i}].Version");
            var value = reader.Bytes($"Keys[{i}].Value", StoreLimits.MaxValueBytes);
            if (reader.Failed || path is null) break;
            if (path.IsRoot) reader.Fail(DecodeError.InvalidValue, $"Keys[{i}].Path", $"at offset {offset} is the root, which holds no value");
            else if (previous is not null && previous.CompareTo(path) >= 0)
                reader.Fail(DecodeError.InvalidValue, $"Keys[{i}].Path", $"'{path}' at offset {offset} does not follow '{previous}' in path order");
            else if (keyVersion == 0 || keyVersion > version)
                reader.Fail(DecodeError.InvalidValue, $"Keys[{i}].Version", $"of '{path}' is {keyVersion}, outside 1..{version} (the store version)");
            previous = path;
            entries.Add(new(path, new StoreEntry(value, keyVersion)));
        }
        if (!reader.Failed && reader.Remaining > 0)
            reader.Fail(DecodeError.LengthMismatch, "End", $"{reader.Remaining} bytes follow the last key at offset {reader.Position}");
        if (reader.Failed) throw new FormatException($"store state: {reader.Detail}");
        try
        {
            return StoreState.Create(entries, version, epoch);
        }
        catch (ArgumentException error)
        {
            throw new FormatException($"store state: {error.Message.Split(" (Parameter")[0]}");
        }
    }

    private static byte[] Write(StoreState state, bool withEpoch)
    {
        ArgumentNullException.ThrowIfNull(state);
        var measuring = WireWriter.Measuring();
        Fields(ref measuring, state, withEpoch);
        var bytes = new byte[measuring.Position];
        var writer = WireWriter.Into(bytes);
        Fields(ref writer, state, withEpoch);
        return bytes;
    }

    private static void Fields(ref WireWriter w, StoreState state, bool withEpoch)
    {
        w.Scope = "StoreState";
        w.U32(Magic);
        w.U8(Format);
        w.Ring(withEpoch ? state.Epoch : default);
        w.U64(state.Version);
        w.Count("Keys", state.Count, StoreLimits.MaxKeys);
        foreach (var (path, entry) in state.Entries)
        {
            StoreMessageCodec.WritePath(ref w, path);
            w.U64(entry.Version);
            w.Bytes("Value", entry.Value, StoreLimits.MaxValueBytes);
        }
    }
}
