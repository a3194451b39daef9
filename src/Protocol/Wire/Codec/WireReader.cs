using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Totem.Protocol.Wire.Codec;

/// <summary>
/// Reads network-byte-order fields from an untrusted datagram without ever throwing. The first problem
/// is remembered (sticky); later reads then return defaults, so a message codec reads its fields in a
/// straight line and the caller looks at <see cref="Failed"/> once. Every list count is checked against
/// its limit and against the bytes that remain before anything is allocated for it.
/// </summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public WireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
        Error = null;
        Detail = null;
    }

    public DecodeError? Error { get; private set; }
    public string? Detail { get; private set; }
    public readonly bool Failed => Error is not null;
    public readonly int Position => _position;
    public readonly int Remaining => _data.Length - _position;

    /// <summary>Prefix for field names in error details ("McastMessage", "McastMessage.Encapsulated").</summary>
    public string Scope { get; set; } = "";

    public void Fail(DecodeError error, string field, string problem)
    {
        if (Failed) return;
        Error = error;
        Detail = $"{Scope}.{field} {problem}";
    }

    // A field's name may come in two parts ("RingId" + ".Seq"): joined only when it is reported, so a datagram that
    // decodes allocates no strings for names.
    private bool Need(int bytes, string field, string suffix = "")
    {
        if (Failed) return false;
        if (Remaining >= bytes) return true;
        Fail(DecodeError.Truncated, field + suffix,
            $"needs {bytes} bytes at offset {_position} but the datagram has {Remaining} left");
        return false;
    }

    public byte U8(string field)
    {
        if (!Need(1, field)) return 0;
        return _data[_position++];
    }

    public ushort U16(string field)
    {
        if (!Need(2, field)) return 0;
        var value = BinaryPrimitives.ReadUInt16BigEndian(_data[_position..]);
        _position += 2;
        return value;
    }

    public uint U32(string field) => U32(field, "");

    private uint U32(string field, string suffix)
    {
        if (!Need(4, field, suffix)) return 0;
        var value = BinaryPrimitives.ReadUInt32BigEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public int I32(string field)
    {
        if (!Need(4, field)) return 0;
        var value = BinaryPrimitives.ReadInt32BigEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public ulong U64(string field) => U64(field, "");

    private ulong U64(string field, string suffix)
    {
        if (!Need(8, field, suffix)) return 0;
        var value = BinaryPrimitives.ReadUInt64BigEndian(_data[_position..]);
        _position += 8;
        return value;
    }

    /// <summary>Only 0 and 1 are accepted, so that every message has exactly one encoding.</summary>
    public bool Bool(string field)
    {
        var offset = _position;
        var value = U8(field);
        if (value > 1) Fail(DecodeError.InvalidValue, field, $"is {value} at offset {offset}; a flag must be 0 or 1");
        return value == 1;
    }

    public NodeId Node(string field) => new(U32(field));

    public RingId Ring(string field)
    {
        var representative = new NodeId(U32(field, ".Representative"));
        var seq = U64(field, ".Seq");
        return new RingId(representative, seq);
    }

    /// <summary>
    /// Reads a count prefix and returns it only if the list fits both its limit and the rest of the
    /// datagram (at <paramref name="minElementSize"/> bytes per entry); otherwise fails and returns 0.
    /// </summary>
    public int Count(string field, int max, int minElementSize)
    {
        var offset = _position;
        var raw = U32(field, ".Count");
        if (Failed) return 0;
        if (raw > (uint)max)
        {
            Fail(DecodeError.ListTooLong, field, $"count {raw} at offset {offset} exceeds the limit of {max}");
            return 0;
        }
        var count = (int)raw;
        if ((long)count * minElementSize > Remaining)
        {
            Fail(DecodeError.Truncated, field,
                $"count {count} at offset {offset} needs {(long)count * minElementSize} bytes but the datagram has {Remaining} left");
            return 0;
        }
        return count;
    }

    /// <summary>Steps over <paramref name="bytes"/> bytes a caller took itself (a slice of the memory under the span); never past the end.</summary>
    public void Skip(int bytes, string field)
    {
        if (Need(bytes, field)) _position += bytes;
    }

    /// <summary>The next <paramref name="length"/> bytes as a span of the input (empty once failed).</summary>
    public ReadOnlySpan<byte> Span(int length, string field)
    {
        if (!Need(length, field)) return ReadOnlySpan<byte>.Empty;
        var span = _data.Slice(_position, length);
        _position += length;
        return span;
    }

    public ValueList<byte> Bytes(string field, int max)
    {
        var count = Count(field, max, 1);
        if (Failed || count == 0) return ValueList<byte>.Empty;
        var bytes = ImmutableArray.Create(_data.Slice(_position, count));
        _position += count;
        return new ValueList<byte>(bytes);
    }

    public ValueList<T> List<T>(string field, int max, int elementSize, ElementReader<T> readElement)
    {
        var count = Count(field, max, elementSize);
        if (Failed || count == 0) return ValueList<T>.Empty;
        var items = new T[count];
        for (var i = 0; i < count && !Failed; i++) items[i] = readElement(ref this);
        return Failed ? ValueList<T>.Empty : new ValueList<T>(ImmutableCollectionsMarshal.AsImmutableArray(items));
    }
}

internal delegate T ElementReader<out T>(ref WireReader reader);
