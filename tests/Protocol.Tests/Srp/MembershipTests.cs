using Totem.Protocol.Srp;
using Totem.Protocol.Wire;
using Xunit.Abstractions;

namespace Totem.Protocol.Tests.Srp;

public class MembershipTests(ITestOutputHelper output)
{
    private static uint[] Ids(int n) => Enumerable.Range(1, n).Select(i => (uint)i).ToArray();

    private static SrpCluster FormedRing(int seed, int nodes, int minDelay = 0, int maxDelay = 1, Totem.Protocol.Config.TotemTimeouts? timeouts = null)
    {
        var cluster = new SrpCluster(seed, Ids(nodes), timeouts) { MinDelayMs = minDelay, MaxDelayMs = maxDelay };
        cluster.BootAll();
        Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith(Ids(nodes)), 60_000), $"seed {seed}: ring did not form");
        return cluster;
    }

    private static long CrashToMembership(SrpCluster cluster, uint victim, uint[] survivors, long idleMs)
    {
        cluster.RunFor(idleMs);
        var crashAt = cluster.Now;
        var before = cluster.Nodes.Values.ToDictionary(n => n.Id, n => n.Regular.Count);
        cluster.Crash(victim);
        Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith(survivors), crashAt + 60_000));
        var formedAt = survivors.Max(s => cluster[s].Regular[^1].Time);
        Assert.All(survivors, s => Assert.Equal(before[new NodeId(s)] + 1, cluster[s].Regular.Count));
        return formedAt - crashAt;
    }

    [Fact]
    public void Crash_of_one_node_forms_a_ring_of_survivors_within_corosync_timing()
    {
        var timeouts = CorosyncDefaults.For(5);
        var samples = new List<long>();
        for (var seed = 0; seed < 20; seed++)
        {
            var cluster = FormedRing(seed, 5);
            var victim = (uint)(seed % 5 + 1);
            var survivors = Ids(5).Where(i => i != victim).ToArray();
            var elapsed = CrashToMembership(cluster, victim, survivors, 5_000 + seed * 137);
            samples.Add(elapsed);
            Assert.InRange(elapsed, timeouts.Token - timeouts.Hold + timeouts.Consensus, timeouts.Token + timeouts.Consensus + 200);

            Assert.Contains(survivors, s => cluster[s].Logs("A processor failed, forming new configuration").Any());
            foreach (var s in survivors)
            {
                var node = cluster[s];
                var history = node.History.OfType<ConfigurationChanged>().TakeLast(2).ToList();
                Assert.Equal(ConfigurationKind.Transitional, history[0].Kind);
                Assert.Equal(survivors.Select(i => new NodeId(i)), history[0].Members);
                Assert.Equal([new NodeId(victim)], history[0].Left);
                Assert.Equal(ConfigurationKind.Regular, history[1].Kind);
                Assert.Equal(survivors.Select(i => new NodeId(i)), history[1].Members);
                Assert.Empty(history[1].Joined);
                Assert.Contains(node.Outputs.Select(o => o.Output).OfType<SrpLog>(),
                    l => l.Template.StartsWith("A new membership ({RingId}) was formed. Members left:", StringComparison.Ordinal));
                Assert.Contains(node.Logs("Failed to receive the leave message"), _ => true);
            }
        }
        output.WriteLine($"5 nodes default: crash -> membership min {samples.Min()} avg {samples.Average():F0} max {samples.Max()} ms " +
                         $"(bound {timeouts.Token - timeouts.Hold + timeouts.Consensus}..{timeouts.Token + timeouts.Consensus + 200})");
    }

    [Theory]
    [InlineData(600u)]
    [InlineData(1200u)]
    [InlineData(4800u)]
    [InlineData(9600u)]
    public void Two_nodes_token_1000_detect_and_reform_after_token_plus_consensus(uint consensus)
    {
        var timeouts = CorosyncDefaults.For(2, token: 1000, consensus: consensus);
        var samples = new List<long>();
        for (var seed = 0; seed < 8; seed++)
        {
            var cluster = FormedRing(seed, 2, timeouts: timeouts);
            var elapsed = CrashToMembership(cluster, 2, [1], 3_000 + seed * 71);
            samples.Add(elapsed);
            Assert.InRange(elapsed, timeouts.Token - timeouts.Hold + timeouts.Consensus, timeouts.Token + timeouts.Consensus + 200);
        }
        output.WriteLine($"2 nodes token 1000 consensus {consensus}: min {samples.Min()} avg {samples.Average():F0} max {samples.Max()} ms");
    }

    [Fact]
    public void Partition_forms_two_rings_and_healing_merges_them()
    {
        for (var seed = 0; seed < 10; seed++)
        {
            var cluster = FormedRing(seed, 5, 0, 2);
            cluster.RunFor(3_000);
            cluster.Partition([1, 2], [3, 4, 5]);
            Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith([1, 2]) && cluster.AllOperationalWith([3, 4, 5]), cluster.Now + 60_000),
                $"seed {seed}: partitions did not form");
            Assert.NotEqual(cluster[1].Engine!.RingId, cluster[3].Engine!.RingId);
            Assert.Equal(new NodeId(3), cluster[3].Engine!.RingId.Representative);

            // Both sides keep working on their own.
            cluster.Submit(1);
            cluster.Submit(4);
            cluster.RunFor(2_000);
            Assert.Contains(cluster[2].Delivered, d => d.Source.Value == 1);
            Assert.DoesNotContain(cluster[2].Delivered, d => d.Source.Value == 4);

            cluster.Heal();
            var healedAt = cluster.Now;
            Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith(Ids(5)), cluster.Now + 60_000), $"seed {seed}: did not merge");
            Assert.True(cluster.Now - healedAt < 5_000, $"seed {seed}: merge took {cluster.Now - healedAt} ms");
            Assert.True(cluster[1].Engine!.Counters.MembMergeDetectTx + cluster[3].Engine!.Counters.MembMergeDetectTx > 0);
            var regular = cluster[5].Regular[^1].Change;
            Assert.Equal([new NodeId(1), new NodeId(2)], regular.Joined);
        }
    }

    [Fact]
    public void Leaving_node_lets_the_others_reform_well_before_the_token_timeout()
    {
        var timeouts = CorosyncDefaults.For(4);
        for (var seed = 0; seed < 10; seed++)
        {
            var cluster = FormedRing(seed, 4, 0, 2);
            cluster.RunFor(2_000 + seed * 50);
            var leaver = (uint)(seed % 4 + 1);
            var rest = Ids(4).Where(i => i != leaver).ToArray();
            var leftAt = cluster.Now;
            cluster.Leave(leaver);
            Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith(rest), cluster.Now + 60_000));
            Assert.True(cluster.Now - leftAt < timeouts.Token / 4, $"seed {seed}: reform took {cluster.Now - leftAt} ms");
            foreach (var s in rest)
            {
                Assert.Empty(cluster[s].Logs("Failed to receive the leave message"));
                var transitional = cluster[s].History.OfType<ConfigurationChanged>().Last(c => c.Kind == ConfigurationKind.Transitional);
                Assert.Equal([new NodeId(leaver)], transitional.Left);
            }
        }
    }

    [Fact]
    public void Restarted_node_rejoins_with_a_higher_ring_seq()
    {
        for (var seed = 0; seed < 5; seed++)
        {
            var cluster = FormedRing(seed, 3, 0, 2);
            cluster.RunFor(2_000);
            var seqBefore = cluster[2].Engine!.RingId.Seq;
            Assert.Equal(seqBefore, cluster[2].HighestRingSeq);
            cluster.Crash(2);
            cluster.RunFor(100);
            cluster.Boot(new NodeId(2));
            Assert.True(cluster[2].Engine!.RingId.Seq > seqBefore);
            // Its join carries the ring seq it had seen, so the others do not discard it as stale and merge at once.
            Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith(Ids(3)), cluster.Now + 30_000));
            Assert.True(cluster[1].Engine!.RingId.Seq > seqBefore);
            Assert.True(cluster[1].Engine!.RingId.Seq >= cluster[2].HighestRingSeq);
        }
    }

    /// <summary>
    /// totemd without a state dir (the default; ringbench, a container without a volume) restarts at ring seq 0, far
    /// below the seqs the survivors saw it use. Its joins are a new incarnation's, not its old one's overtaken on the
    /// wire: the survivors take them, as corosync (which has no stale-join check in GATHER) does, and the ring of all
    /// forms within one membership round, not after a consensus timeout (5940 ms for 5 nodes).
    /// </summary>
    [Fact]
    public void Restarted_node_without_a_kept_ring_seq_rejoins_within_one_membership_round()
    {
        var timeouts = CorosyncDefaults.For(5);
        for (var seed = 0; seed < 20; seed++)
        {
            var cluster = FormedRing(seed, 5, 0, 2);
            cluster.RunFor(1_000 + seed * 37);
            var victim = (uint)(seed % 5 + 1);
            var survivors = Ids(5).Where(i => i != victim).ToArray();
            cluster.Crash(victim);
            Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith(survivors), cluster.Now + 60_000), $"seed {seed}: no ring of the survivors");
            cluster.RunFor(200 + seed * 13);
            cluster[victim].HighestRingSeq = 0;
            var survivorsSeq = cluster[survivors[0]].Engine!.RingId.Seq;
            var bootAt = cluster.Now;
            cluster.Boot(new NodeId(victim));
            Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith(Ids(5)), bootAt + 60_000), $"seed {seed}: node {victim} never rejoined");
            var took = cluster.Now - bootAt;
            Assert.True(took < timeouts.Token / 4, $"seed {seed}: node {victim} rejoined after {took} ms (consensus {timeouts.Consensus} ms)");
            // Ring ids are never reused: the merged ring's seq is above the survivors' ring, whatever the restarted node loaded.
            Assert.True(cluster[victim].Engine!.RingId.Seq > survivorsSeq, $"seed {seed}: ring seq {cluster[victim].Engine!.RingId.Seq} after {survivorsSeq}");
        }
    }

    [Fact]
    public void Nodes_moving_together_deliver_the_same_messages_before_the_transitional_configuration()
    {
        for (var seed = 0; seed < 30; seed++)
        {
            var cluster = FormedRing(seed, 5, 0, 3);
            cluster.Loss = 0.05;
            var victim = (uint)(seed % 5 + 1);
            var crashAt = 100 + seed * 37 % 250;
            for (var t = 0; t < 400; t += 2)
            {
                foreach (var id in Ids(5)) if (t % 3 == id % 3) cluster.Submit(id, t % 4 == 0 ? DeliveryGuarantee.Safe : DeliveryGuarantee.Agreed);
                cluster.RunFor(2);
                if (t == crashAt - crashAt % 2) cluster.Crash(victim);
            }
            var survivors = Ids(5).Where(i => i != victim).ToArray();
            cluster.Loss = 0;
            Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith(survivors), cluster.Now + 60_000), $"seed {seed}");
            cluster.RunFor(3_000);

            // Everything each survivor saw up to its transitional configuration is identical, in the same order.
            List<string> UpToTransitional(uint id)
            {
                var history = cluster[id].History;
                var transitional = history.FindLastIndex(o => o is ConfigurationChanged { Kind: ConfigurationKind.Transitional });
                Assert.True(transitional > 0);
                var oldRegular = history.FindLastIndex(transitional, o => o is ConfigurationChanged { Kind: ConfigurationKind.Regular });
                history = history.Skip(oldRegular).ToList();
                transitional -= oldRegular;
                var regular = history.FindIndex(transitional, o => o is ConfigurationChanged { Kind: ConfigurationKind.Regular });
                return history.Take(regular + 1).Select(o => o switch
                {
                    Delivered d => $"{d.RingId}/{d.Seq}/{SrpCluster.Decode(d.Payload)}",
                    ConfigurationChanged c => $"{c.Kind} {c.RingId} {c.Members}",
                    _ => "",
                }).ToList();
            }
            var reference = UpToTransitional(survivors[0]);
            foreach (var s in survivors.Skip(1)) Assert.Equal(reference, UpToTransitional(s));
            // And after the new ring, they still agree.
            OperationalRingTests.AssertSameOrder(SurvivorsOnly(cluster, survivors));
        }
    }

    [Fact]
    public void Recovery_redelivers_old_ring_messages_that_a_survivor_lacked()
    {
        var recovered = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            var cluster = FormedRing(seed, 4, 1, 1);
            cluster.RunFor(1_000);
            // Node 4 receives nothing from node 1 any more; node 1 then dies before node 4 gets it retransmitted.
            cluster.DropFilter = (from, to, m) => from.Value == 1 && to.Value == 4 && m is McastMessage;
            for (var i = 0; i < 5; i++) cluster.Submit(1);
            cluster.RunFor(4);
            cluster.Crash(1);
            cluster.DropFilter = null;
            Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith([2, 3, 4]), cluster.Now + 60_000));
            var counts = new[] { 2u, 3u, 4u }.Select(i => cluster[i].Delivered.Count(d => d.Source.Value == 1)).ToList();
            Assert.All(counts, c => Assert.Equal(counts[0], c));
            // Node 4 lacked node 1's messages when the ring broke; the others re-multicast them in RECOVERY.
            var lackedAtBreak = cluster[4].Outputs.Select(o => o.Output).OfType<SrpLog>()
                .Any(l => l.Template.StartsWith("position member", StringComparison.Ordinal) && ((NodeId)l.Args[0]!).Value == 4 && (int)l.Args[4]! == 0);
            if (lackedAtBreak && counts[0] > 0 && new uint[] { 2, 3 }.Any(i => cluster[i].Logs("Originated {Count} messages in RECOVERY.").Any()))
                recovered++;
            OperationalRingTests.AssertSameOrder(SurvivorsOnly(cluster, [2, 3, 4]));
        }
        Assert.True(recovered > 0);
    }

    [Fact]
    public void A_node_that_fails_to_receive_marks_itself_failed()
    {
        var cluster = FormedRing(4, 3, 1, 1, CorosyncDefaults.For(3) with { FailReceiveConst = 50 });
        // Node 3 never receives multicasts from node 1 (not even retransmissions), but the token flows.
        cluster.DropFilter = (from, to, m) => m is McastMessage && from.Value == 1 && to.Value == 3;
        cluster.Submit(1);
        Assert.True(cluster.RunUntil(() => cluster[3].Logs("FAILED TO RECEIVE").Any(), cluster.Now + 120_000));
        Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith([1, 2]), cluster.Now + 60_000));
        Assert.Equal(1ul, cluster[3].Engine!.Counters.FailedToReceive);
    }

    private static SrpCluster SurvivorsOnly(SrpCluster cluster, uint[] survivors)
    {
        foreach (var id in cluster.Nodes.Keys.Where(k => !survivors.Contains(k.Value)).ToList()) cluster.Nodes.Remove(id);
        return cluster;
    }
}
