using System.Buffers.Binary;
using System.Collections.Immutable;

namespace Totem.Protocol.Wire.Codec;

/// <summary>
/// Writes fields in network byte order (big-endian). A writer without a destination only measures, so
/// every message has a single field-by-field description that serves both for sizing and for writing.
/// Limits are the encoder's own contract: breaking one is a bug in our code, hence the exceptions.
/// </summary>
internal ref struct WireWriter
{
    private readonly Span<byte> _destination;
    private readonly bool _measuring;

    private WireWriter(Span<byte> destination, bool measuring)
    {
        _destination = destination;
        _measuring = measuring;
        Position = 0;
    }

    public static WireWriter Measuring() => new(Span<byte>.Empty, measuring: true);
    public static WireWriter Into(Span<byte> destination) => new(destination, measuring: false);

    public int Position { get; private set; }

    /// <summary>The message type being written, for exception texts.</summary>
    public string Scope { get; set; } = "";

    public void U8(byte value)
    {
        if (!_measuring) _destination[Position] = value;
        Position += 1;
    }

    public void U16(ushort value)
    {
        if (!_measuring) BinaryPrimitives.WriteUInt16BigEndian(_destination[Position..], value);
        Position += 2;
    }

    public void U32(uint value)
    {
        if (!_measuring) BinaryPrimitives.WriteUInt32BigEndian(_destination[Position..], value);
        Position += 4;
    }

    public void I32(int value)
    {
        if (!_measuring) BinaryPrimitives.WriteInt32BigEndian(_destination[Position..], value);
        Position += 4;
    }

    public void U64(ulong value)
    {
        if (!_measuring) BinaryPrimitives.WriteUInt64BigEndian(_destination[Position..], value);
        Position += 8;
    }

    /// <summary>Bytes without a count prefix (the caller wrote their length its own way).</summary>
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        if (!_measuring) bytes.CopyTo(_destination[Position..]);
        Position += bytes.Length;
    }

    /// <summary>Overwrites a u32 written earlier at <paramref name="at"/> (a length known only at the end).</summary>
    public readonly void PatchU32(int at, uint value)
    {
        if (!_measuring) BinaryPrimitives.WriteUInt32BigEndian(_destination[at..], value);
    }

    public void Bool(bool value) => U8(value ? (byte)1 : (byte)0);

    public void Node(NodeId node) => U32(node.Value);

    public void Ring(RingId ring)
    {
        Node(ring.Representative);
        U64(ring.Seq);
    }

    /// <summary>A count prefix, after checking the list's protocol limit.</summary>
    public void Count(string field, int count, int max)
    {
        if (count > max)
            throw new ArgumentException(
                $"{Scope}.{field} has {count} entries; the wire format allows at most {max}.", "message");
        U32((uint)count);
    }

    public void Bytes(string field, ValueList<byte> bytes, int max)
    {
        var items = bytes.Items;
        Count(field, items.Length, max);
        if (!_measuring) items.AsSpan().CopyTo(_destination[Position..]);
        Position += items.Length;
    }

    public void List<T>(string field, ValueList<T> list, int max, ElementWriter<T> writeElement)
    {
        ImmutableArray<T> items = list.Items;
        Count(field, items.Length, max);
        foreach (var item in items) writeElement(ref this, item);
    }

    public void Fail(string field, string problem) =>
        throw new ArgumentException($"{Scope}.{field} {problem}", "message");
}

internal delegate void ElementWriter<in T>(ref WireWriter writer, T element);
