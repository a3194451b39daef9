using Totem.Protocol.Pg;

namespace Totem.Protocol.Store;

/// <summary>The sizes of the replicated store: one place for each, so paths, values and ring messages agree.</summary>
public static class StoreLimits
{
    /// <summary>
    /// The largest value a key holds: a write of it at the longest path, with its service byte, is the largest message
    /// the packing layer carries (<see cref="PgLimits.MaxMessageBytes"/>, 1 MiB, fragmented on the wire): 1 MiB less 1153 bytes.
    /// </summary>
    public const int MaxValueBytes = PgLimits.MaxMessageBytes - MaxPathBytes - MessageOverheadBytes - 1;

    /// <summary>A path's UTF-8 length, the leading '/' included (Linux's PATH_MAX is 4096; a config store needs far less).</summary>
    public const int MaxPathBytes = 1024;

    /// <summary>One segment's UTF-8 length (NAME_MAX).</summary>
    public const int MaxSegmentBytes = 255;

    /// <summary>The bytes of encoded state one transfer chunk carries: 64 KiB, so a transfer interleaves with other traffic.</summary>
    public const int MaxChunkBytes = 64 * 1024;

    /// <summary>Room for a store message's fixed fields (id, ring ids, versions, counts, flags, digest).</summary>
    public const int MessageOverheadBytes = 128;

    /// <summary>No store message on the ring is larger than this (a write of a full value at the longest path).</summary>
    public const int MaxMessageBytes = MaxValueBytes + MaxPathBytes + MessageOverheadBytes;

    /// <summary>How many chunks a state transfer may have: a store of up to 4 GiB of encoded state.</summary>
    public const int MaxChunks = 65536;

    /// <summary>The number of keys a decoded state may hold (bounds what a malformed snapshot makes us allocate).</summary>
    public const int MaxKeys = 1 << 20;
}
