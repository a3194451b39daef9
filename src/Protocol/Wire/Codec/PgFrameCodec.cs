namespace Totem.Protocol.Wire.Codec;

/// <summary>
/// The frame inside a multicast: queue u8 | fragmented u8 | continuation u8 | lengths (count u32, u16 each) |
/// data (count u32, bytes). The lengths must add up to the data's length, and a frame that continues or is
/// continued has at least one piece, so every encoding names one frame.
/// </summary>
internal static class PgFrameCodec
{
    /// <summary>Bytes of a frame besides its pieces and their length entries.</summary>
    public const int Overhead = WireSize.U8 + WireSize.U8 + WireSize.U8 + WireSize.Count + WireSize.Count;

    /// <summary>Bytes each packed piece costs besides its data: its length entry.</summary>
    public const int PieceOverhead = WireSize.U16;

    /// <summary>The most pieces a frame can list: each costs at least its length entry.</summary>
    public const int MaxPieces = TotemCodec.MaxPayloadSize / PieceOverhead;

    public static void Encode(PgFrame frame, ref WireWriter w)
    {
        if (!Enum.IsDefined(frame.Queue)) w.Fail(nameof(frame.Queue), $"is {(byte)frame.Queue}, not a known queue");
        var total = 0;
        foreach (var length in frame.Lengths.Items) total += length;
        if (total != frame.Data.Count)
            w.Fail(nameof(frame.Lengths), $"add up to {total} bytes but the frame's data has {frame.Data.Count}");
        if (frame.Lengths.Count == 0 && (frame.Fragmented != 0 || frame.Continuation != 0))
            w.Fail(nameof(frame.Lengths), "are empty in a frame that continues or is continued; such a frame carries at least one piece");
        w.U8((byte)frame.Queue);
        w.U8(frame.Fragmented);
        w.U8(frame.Continuation);
        w.List(nameof(frame.Lengths), frame.Lengths, MaxPieces, static (ref WireWriter writer, ushort length) => writer.U16(length));
        w.Bytes(nameof(frame.Data), frame.Data, TotemCodec.MaxPayloadSize);
    }

    public static PgFrame Decode(ref WireReader r)
    {
        var queueOffset = r.Position;
        var queue = (PgQueue)r.U8(nameof(PgFrame.Queue));
        if (!r.Failed && !Enum.IsDefined(queue))
            r.Fail(DecodeError.InvalidValue, nameof(PgFrame.Queue), $"is {(byte)queue} at offset {queueOffset}, not a known queue");
        var fragmented = r.U8(nameof(PgFrame.Fragmented));
        var continuation = r.U8(nameof(PgFrame.Continuation));
        var lengthsOffset = r.Position;
        var lengths = r.List(nameof(PgFrame.Lengths), MaxPieces, WireSize.U16, static (ref WireReader reader) => reader.U16(nameof(PgFrame.Lengths)));
        var data = r.Bytes(nameof(PgFrame.Data), TotemCodec.MaxPayloadSize);
        if (r.Failed) return PgFrame.Empty;
        var total = 0;
        foreach (var length in lengths.Items) total += length;
        if (total != data.Count)
            r.Fail(DecodeError.LengthMismatch, nameof(PgFrame.Lengths),
                $"at offset {lengthsOffset} add up to {total} bytes but the frame's data has {data.Count}");
        else if (lengths.Count == 0 && (fragmented != 0 || continuation != 0))
            r.Fail(DecodeError.InvalidValue, nameof(PgFrame.Lengths),
                $"at offset {lengthsOffset} are empty in a frame that continues or is continued");
        return r.Failed ? PgFrame.Empty : new PgFrame(queue, fragmented, continuation, lengths, data);
    }
}
