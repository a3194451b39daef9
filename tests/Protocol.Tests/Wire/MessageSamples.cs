using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Wire;

/// <summary>Seeded generators of valid wire messages, covering every message type and the edges of every field.</summary>
internal static class MessageSamples
{
    public static NodeId Node(uint value) => new(value);

    public static RingId Ring(uint representative, ulong seq) => new(Node(representative), seq);

    /// <summary>One message of each type with every field at its low edge (zeros, empty lists).</summary>
    public static IEnumerable<TotemMessage> Minimal()
    {
        yield return new OrfToken(Node(0), Ring(0, 0), 0, 0, 0, Node(0), 0, 0, false, ValueList<uint>.Empty);
        yield return new McastMessage(Node(0), Ring(0, 0), 0, Node(0), DeliveryGuarantee.Agreed, PgFrame.Empty, null);
        yield return new JoinMessage(Node(0), 0, ValueList<NodeId>.Empty, ValueList<NodeId>.Empty);
        yield return new CommitToken(Node(0), Ring(0, 0), 0, 0, ValueList<CommitMember>.Empty);
        yield return new MergeDetect(Node(0), Ring(0, 0));
        yield return new TokenHoldCancel(Node(0), Ring(0, 0));
        yield return new LeaveMessage(Node(0), 0, ValueList<NodeId>.Empty, ValueList<NodeId>.Empty);
    }

    /// <summary>One message of each type with every field at its high edge (max values, lists at their limits).</summary>
    public static IEnumerable<TotemMessage> Maximal()
    {
        var maxNode = Node(uint.MaxValue);
        var maxRing = Ring(uint.MaxValue, ulong.MaxValue);
        var nodes = Enumerable.Range(0, TotemCodec.MaxMembers).Select(i => Node(uint.MaxValue - (uint)i)).ToValueList();
        yield return new OrfToken(maxNode, maxRing, uint.MaxValue, uint.MaxValue, uint.MaxValue, maxNode, uint.MaxValue,
            uint.MaxValue, true, Enumerable.Range(0, TotemCodec.MaxRetransmitEntries).Select(i => uint.MaxValue - (uint)i).ToValueList());
        yield return new McastMessage(maxNode, maxRing, uint.MaxValue, maxNode, DeliveryGuarantee.Safe,
            PgFrame.Single(Payload(TotemCodec.MaxPayloadSize, 0xFF)), null);
        yield return new McastMessage(maxNode, maxRing, uint.MaxValue, maxNode, DeliveryGuarantee.Safe, PgFrame.Empty,
            new McastMessage(maxNode, maxRing, uint.MaxValue, maxNode, DeliveryGuarantee.Safe, PgFrame.Single(Payload(TotemCodec.MaxPayloadSize, 0xA5)), null));
        yield return new JoinMessage(maxNode, ulong.MaxValue, nodes, nodes);
        var members = nodes.Select(n => new CommitMember(n, maxRing, uint.MaxValue, uint.MaxValue, true)).ToValueList();
        yield return new CommitToken(maxNode, maxRing, uint.MaxValue, members.Count, members);
        yield return new MergeDetect(maxNode, maxRing);
        yield return new TokenHoldCancel(maxNode, maxRing);
        yield return new LeaveMessage(maxNode, ulong.MaxValue, nodes, nodes);
    }

    public static ValueList<byte> Payload(int length, byte seed) =>
        Enumerable.Range(0, length).Select(i => (byte)(seed ^ (i * 31))).ToValueList();

    /// <summary>A random valid message; lists stay short unless <paramref name="large"/>, so fuzzing stays fast.</summary>
    public static TotemMessage Random(Random rng, bool large = false)
    {
        var maxList = large ? TotemCodec.MaxMembers : 8;
        var maxPayload = large ? 4096 : 48;
        return rng.Next(7) switch
        {
            0 => new OrfToken(RandomNode(rng), RandomRing(rng), RandomU32(rng), RandomU32(rng), RandomU32(rng), RandomNode(rng),
                RandomU32(rng), RandomU32(rng), rng.Next(2) == 1,
                Enumerable.Range(0, rng.Next(TotemCodec.MaxRetransmitEntries + 1)).Select(_ => RandomU32(rng)).ToValueList()),
            1 => RandomMcast(rng, maxPayload, allowEncapsulation: true),
            2 => new JoinMessage(RandomNode(rng), RandomU64(rng), RandomNodes(rng, maxList), RandomNodes(rng, maxList)),
            3 => RandomCommitToken(rng, maxList),
            4 => new MergeDetect(RandomNode(rng), RandomRing(rng)),
            5 => new TokenHoldCancel(RandomNode(rng), RandomRing(rng)),
            _ => new LeaveMessage(RandomNode(rng), RandomU64(rng), RandomNodes(rng, maxList), RandomNodes(rng, maxList)),
        };
    }

    private static McastMessage RandomMcast(Random rng, int maxPayload, bool allowEncapsulation)
    {
        var encapsulated = allowEncapsulation && rng.Next(3) == 0 ? RandomMcast(rng, maxPayload, allowEncapsulation: false) : null;
        var frame = encapsulated is null ? RandomFrame(rng, maxPayload) : PgFrame.Empty;
        return new McastMessage(RandomNode(rng), RandomRing(rng), RandomU32(rng), RandomNode(rng),
            (DeliveryGuarantee)rng.Next(2), frame, encapsulated);
    }

    /// <summary>Up to three packed pieces, now and then continuing or continued, as the packer makes them.</summary>
    private static PgFrame RandomFrame(Random rng, int maxPayload)
    {
        var data = RandomBytes(rng, rng.Next(maxPayload + 1));
        var pieces = rng.Next(1, 4);
        var lengths = new ushort[pieces];
        var left = data.Count;
        for (var i = 0; i < pieces - 1; i++)
        {
            lengths[i] = (ushort)rng.Next(0, left + 1);
            left -= lengths[i];
        }
        lengths[^1] = (ushort)left;
        return new PgFrame((PgQueue)rng.Next(2), (byte)(rng.Next(3) == 0 ? rng.Next(1, 256) : 0),
            (byte)(rng.Next(3) == 0 ? rng.Next(1, 256) : 0), lengths.ToValueList(), data);
    }

    private static CommitToken RandomCommitToken(Random rng, int maxList)
    {
        var members = Enumerable.Range(0, rng.Next(maxList + 1))
            .Select(_ => new CommitMember(RandomNode(rng), RandomRing(rng), RandomU32(rng), RandomU32(rng), rng.Next(2) == 1))
            .ToValueList();
        return new CommitToken(RandomNode(rng), RandomRing(rng), RandomU32(rng), rng.Next(members.Count + 1), members);
    }

    private static ValueList<NodeId> RandomNodes(Random rng, int max) =>
        Enumerable.Range(0, rng.Next(max + 1)).Select(_ => RandomNode(rng)).ToValueList();

    private static ValueList<byte> RandomBytes(Random rng, int length)
    {
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes.ToValueList();
    }

    // Edge values come up often: that is where encoders go wrong.
    private static uint RandomU32(Random rng) => rng.Next(4) switch
    {
        0 => 0,
        1 => uint.MaxValue,
        _ => (uint)rng.NextInt64(0, 1L << 32),
    };

    private static ulong RandomU64(Random rng) => rng.Next(4) switch
    {
        0 => 0,
        1 => ulong.MaxValue,
        _ => (ulong)rng.NextInt64() ^ ((ulong)rng.Next(2) << 63),
    };

    private static NodeId RandomNode(Random rng) => Node(RandomU32(rng));

    private static RingId RandomRing(Random rng) => new(RandomNode(rng), RandomU64(rng));
}
