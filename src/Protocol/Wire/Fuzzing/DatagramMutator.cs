using System.Buffers.Binary;

namespace Totem.Protocol.Wire.Fuzzing;

/// <summary>
/// Seeded mutations of valid datagrams: most stay close to a real one, so decoding gets deep into the body
/// before it finds the damage, which is where a decoder's bugs hide (random bytes stop at the magic).
/// </summary>
public sealed class DatagramMutator(Random random)
{
    private static readonly MutationKind[] Single = Enum.GetValues<MutationKind>().Where(k => k != MutationKind.Stacked).ToArray();

    private static readonly ulong[] Interesting =
    [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        0x1_0000_0000, long.MaxValue, 0x8000_0000_0000_0000, ulong.MaxValue,
    ];

    // The codec's list limits and their neighbours: where an off-by-one in a bound check would show.
    private static readonly uint[] Counts =
    [
        0, 1, 2, (uint)TotemCodec.MaxRetransmitEntries, (uint)TotemCodec.MaxRetransmitEntries + 1, (uint)TotemCodec.MaxMembers,
        (uint)TotemCodec.MaxMembers + 1, (uint)TotemCodec.MaxPayloadSize, (uint)TotemCodec.MaxPayloadSize + 1, 0x7FFF_FFFF, 0x8000_0000, uint.MaxValue,
    ];

    /// <summary>A mutation of <paramref name="datagram"/>; <paramref name="other"/> is the donor for splices.</summary>
    public byte[] Mutate(byte[] datagram, byte[] other, out MutationKind kind)
    {
        ArgumentNullException.ThrowIfNull(datagram);
        ArgumentNullException.ThrowIfNull(other);
        kind = random.Next(12) == 0 ? MutationKind.Stacked : Single[random.Next(Single.Length)];
        if (kind != MutationKind.Stacked) return Apply(kind, datagram, other);
        var packet = datagram;
        for (var steps = random.Next(2, 5); steps > 0; steps--)
            packet = Apply(Single[random.Next(Single.Length)], packet, other);
        return packet;
    }

    private byte[] Apply(MutationKind kind, byte[] datagram, byte[] other)
    {
        var packet = (byte[])datagram.Clone();
        if (packet.Length == 0 && kind is not (MutationKind.Extension or MutationKind.Splice or MutationKind.HeaderWithRandomBody))
            kind = MutationKind.Extension;
        switch (kind)
        {
            case MutationKind.BitFlip:
                for (var flips = random.Next(1, 5); flips > 0; flips--)
                    packet[random.Next(packet.Length)] ^= (byte)(1 << random.Next(8));
                return packet;
            case MutationKind.ByteSubstitution:
                packet[random.Next(2) == 0 ? random.Next(Math.Min(TotemCodec.HeaderSize, packet.Length)) : random.Next(packet.Length)] = (byte)random.Next(256);
                return packet;
            case MutationKind.InterestingValue:
                return PlantInteresting(packet);
            case MutationKind.LengthField:
                return EditLengthField(packet);
            case MutationKind.Truncation:
                return packet[..random.Next(packet.Length)];
            case MutationKind.Extension:
                if (packet.Length > 0 && random.Next(2) == 0) return [.. packet, .. packet[random.Next(packet.Length)..]];
                var extra = new byte[random.Next(1, 65)];
                random.NextBytes(extra);
                return [.. packet, .. extra];
            case MutationKind.ChunkEdit:
                var start = random.Next(packet.Length);
                var length = random.Next(1, Math.Min(64, packet.Length - start) + 1);
                return random.Next(2) == 0
                    ? [.. packet[..start], .. packet[(start + length)..]]
                    : [.. packet[..(start + length)], .. packet[start..(start + length)], .. packet[(start + length)..]];
            case MutationKind.Splice:
                return [.. packet[..random.Next(packet.Length + 1)], .. other[random.Next(other.Length + 1)..]];
            default:
                var body = new byte[random.Next(96)];
                random.NextBytes(body);
                var header = new byte[TotemCodec.HeaderSize];
                BinaryPrimitives.WriteUInt16BigEndian(header, TotemCodec.Magic);
                header[2] = TotemCodec.ProtocolVersion;
                header[3] = (byte)random.Next(10);
                BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)random.Next(1, 17));
                return [.. header, .. body];
        }
    }

    private byte[] PlantInteresting(byte[] packet)
    {
        var width = 1 << random.Next(4);
        if (packet.Length < width) width = 1;
        var at = random.Next(packet.Length - width + 1);
        var value = Interesting[random.Next(Interesting.Length)];
        var span = packet.AsSpan(at, width);
        switch (width)
        {
            case 1: span[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32BigEndian(span, (uint)value); break;
            default: BinaryPrimitives.WriteUInt64BigEndian(span, value); break;
        }
        return packet;
    }

    private byte[] EditLengthField(byte[] packet)
    {
        if (packet.Length < TotemCodec.HeaderSize + 4) return PlantInteresting(packet);
        // Counts are big-endian u32 prefixes holding small numbers; in real traffic few other words do,
        // so the small words after the header are mostly the counts and lengths. They all sit in the first
        // few hundred bytes (a payload's length comes before the payload), so a big datagram is not scanned whole.
        var candidates = new List<int>();
        var end = Math.Min(packet.Length, TotemCodec.HeaderSize + 512);
        for (var at = TotemCodec.HeaderSize; at + 4 <= end; at++)
            if (BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(at)) is > 0 and <= (uint)TotemCodec.MaxPayloadSize)
                candidates.Add(at);
        var offset = candidates.Count > 0 ? candidates[random.Next(candidates.Count)] : random.Next(TotemCodec.HeaderSize, packet.Length - 3);
        var word = packet.AsSpan(offset, 4);
        var current = BinaryPrimitives.ReadUInt32BigEndian(word);
        var next = random.Next(4) switch
        {
            0 => current + (uint)random.Next(1, 4),
            1 => current - (uint)random.Next(1, 4),
            // Exactly what would still fit, in bytes or in 4-byte entries: passes the bound check and the
            // element reads must catch the rest.
            2 => (uint)(packet.Length - offset - 4) / (random.Next(2) == 0 ? 1u : 4u),
            _ => Counts[random.Next(Counts.Length)],
        };
        BinaryPrimitives.WriteUInt32BigEndian(word, next);
        return packet;
    }
}
