namespace Totem.Protocol.Wire.Fuzzing;

/// <summary>
/// Seed datagrams for the fuzzer: the traffic of ring lives as the protocol puts it on the wire, built with
/// the codec (so the corpus needs no simulator and stays valid when the format changes). Each life forms a
/// ring by joins and a commit token's two rotations, runs tokens and multicasts (retransmits and recovery's
/// encapsulated ones too), holds and cancels the token, detects a foreign ring and ends with a leave.
/// Node ids are small (1..n) in some lives and IPv4-derived in others, as corosync assigns them.
/// </summary>
public static class WireCorpus
{
    /// <summary>The datagrams of <paramref name="lives"/> ring lives, every message type in each, all valid.</summary>
    public static IReadOnlyList<byte[]> RingTraffic(int seed, int lives = 12)
    {
        var random = new Random(seed);
        var datagrams = new List<byte[]>();
        for (var life = 0; life < lives; life++)
            foreach (var message in Life(random, life))
                datagrams.Add(TotemCodec.Encode(message));
        // The largest message a member may send, so that extending it crosses the datagram limit.
        var ring = new RingId(new NodeId(1), 4);
        datagrams.Add(TotemCodec.Encode(new McastMessage(new NodeId(1), ring, 1, new NodeId(1), DeliveryGuarantee.Agreed,
            PgFrame.Single(new byte[TotemCodec.MaxPayloadSize].ToValueList()), null)));
        return datagrams;
    }

    private static IEnumerable<TotemMessage> Life(Random random, int life)
    {
        var size = 2 + life % 7;
        var baseId = life % 2 == 0 ? 1u : 0x0A00_0001u + (uint)random.Next(1000) * 256;
        var nodes = Enumerable.Range(0, size).Select(i => new NodeId(baseId + (uint)i)).ToList();
        var all = nodes.ToValueList();
        var representative = nodes[0];
        var oldSeq = (ulong)random.Next(0, 1000) * 4;
        var oldRing = new RingId(representative, oldSeq);
        var ring = new RingId(representative, oldSeq + 4);

        // Gather: each node's view grows as it hears the others.
        for (var heard = 1; heard <= size; heard++)
            foreach (var node in nodes.Take(heard))
                yield return new JoinMessage(node, oldSeq, nodes.Take(heard).ToValueList(), ValueList<NodeId>.Empty);
        if (size > 2)
            yield return new JoinMessage(nodes[1], oldSeq, all, new[] { nodes[^1] }.ToValueList());

        // Commit: two rotations, each member filling in its entry on the first.
        var members = nodes.Select(n => new CommitMember(n, oldRing, 0, 0, false)).ToList();
        var tokenSeq = 0u;
        for (var rotation = 0; rotation < 2; rotation++)
            for (var index = 0; index < size; index++)
            {
                if (rotation == 0)
                {
                    var aru = (uint)random.Next(0, 500);
                    members[index] = new CommitMember(nodes[index], oldRing, aru, aru + (uint)random.Next(0, 3), random.Next(4) != 0);
                }
                yield return new CommitToken(nodes[index], ring, tokenSeq++, index, members.ToValueList());
            }

        // Recovery: the old ring's messages travel again inside multicasts of the new one.
        var seq = 0u;
        for (var i = 0; i < 1 + random.Next(4); i++)
        {
            var old = Mcast(random, nodes[random.Next(size)], oldRing, (uint)random.Next(1, 500), nodes[random.Next(size)], null);
            yield return new McastMessage(nodes[random.Next(size)], ring, ++seq, old.Source, old.Guarantee, PgFrame.Empty, old);
        }

        // Operational: tokens around the ring and the multicasts each holder sends.
        var aruNow = seq;
        var rotations = 3 + random.Next(5);
        for (var r = 0; r < rotations; r++)
            for (var index = 0; index < size; index++)
            {
                var holder = nodes[index];
                var sent = (uint)random.Next(0, 4);
                for (var m = 0; m < sent; m++)
                    yield return Mcast(random, holder, ring, ++seq, holder, null);
                // A member that missed some asks for them on the token; another retransmits them.
                var missing = random.Next(5) == 0
                    ? Enumerable.Range(0, random.Next(1, TotemCodec.MaxRetransmitEntries + 1)).Select(k => aruNow + 1 + (uint)k).Where(s => s <= seq).ToValueList()
                    : ValueList<uint>.Empty;
                foreach (var again in missing.Take(2))
                    yield return Mcast(random, holder, ring, again, nodes[random.Next(size)], null);
                aruNow = missing.Count > 0 ? missing[0] - 1 : seq;
                yield return new OrfToken(holder, ring, seq, tokenSeq++, aruNow, missing.Count > 0 ? holder : new NodeId(0),
                    (uint)random.Next(0, 20), sent, missing.Count > 0, missing);
            }

        // An idle ring holds the token until someone has something to send.
        yield return new TokenHoldCancel(nodes[random.Next(size)], ring);
        // The representative sees a foreign ring's processor and says which ring it is.
        yield return new MergeDetect(representative, ring);
        // The last node shuts down cleanly.
        var leaver = nodes[^1];
        yield return new LeaveMessage(leaver, ring.Seq, nodes.Take(size - 1).ToValueList(), new[] { leaver }.ToValueList());
    }

    private static McastMessage Mcast(Random random, NodeId sender, RingId ring, uint seq, NodeId source, McastMessage? inner)
    {
        // Mostly small application messages, sometimes a large one: the sizes a ring carries.
        var length = random.Next(20) switch
        {
            0 => random.Next(1024, 8193),
            < 3 => 0,
            _ => random.Next(1, 256),
        };
        var payload = new byte[length];
        random.NextBytes(payload);
        // Packed pieces, the first a continuation and the last a fragment now and then, as the packer makes them.
        var pieces = length == 0 ? 1 : random.Next(1, 4);
        var lengths = new ushort[pieces];
        var left = length;
        for (var i = 0; i < pieces - 1; i++)
        {
            lengths[i] = (ushort)random.Next(0, left + 1);
            left -= lengths[i];
        }
        lengths[^1] = (ushort)left;
        var frame = new PgFrame((PgQueue)random.Next(2), (byte)(random.Next(3) == 0 ? random.Next(1, 256) : 0),
            (byte)(random.Next(3) == 0 ? random.Next(1, 256) : 0), lengths.ToValueList(), payload.ToValueList());
        return new McastMessage(sender, ring, seq, source, (DeliveryGuarantee)random.Next(2), frame, inner);
    }
}
