using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Srp;

public class OperationalRingTests
{
    private static SrpCluster FormedRing(int seed, int nodes, int minDelay = 0, int maxDelay = 1)
    {
        var cluster = new SrpCluster(seed, Enumerable.Range(1, nodes).Select(i => (uint)i))
        {
            MinDelayMs = minDelay,
            MaxDelayMs = maxDelay,
        };
        cluster.BootAll();
        var all = Enumerable.Range(1, nodes).Select(i => (uint)i).ToArray();
        Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith(all), 30_000), $"seed {seed}: ring did not form");
        return cluster;
    }

    [Fact]
    public void Single_node_boot_forms_a_singleton_ring()
    {
        var cluster = new SrpCluster(1, [7]);
        cluster.BootAll();
        cluster.RunFor(10);
        var engine = cluster[7].Engine!;
        Assert.Equal(SrpState.Operational, engine.State);
        Assert.Equal([new NodeId(7)], engine.Members);
        Assert.Equal(new NodeId(7), engine.RingId.Representative);
        Assert.Equal(5ul, engine.RingId.Seq); // (0 loaded + 1) + 4
        var regular = Assert.Single(cluster[7].Regular);
        Assert.Equal([new NodeId(7)], regular.Change.Joined);
        Assert.Contains(cluster[7].Logs("A new membership"), l => l.Contains("joined", StringComparison.Ordinal));
    }

    /// <summary>
    /// corosync zeroes its instance at totemsrp_initialize and fills my_memb_list only in
    /// memb_state_operational_enter, so the first configuration change after boot has an empty transitional
    /// configuration (no previous ring to come from) and a regular one that lists the node as joined; hence the
    /// startup line "A new membership (1.5) was formed. Members joined: 1". Later changes list the node itself.
    /// </summary>
    [Fact]
    public void First_configuration_after_boot_has_an_empty_transitional_configuration_and_joins_the_node_itself()
    {
        var cluster = new SrpCluster(3, [1, 2, 3]) { MaxDelayMs = 1 };
        cluster.BootAll();
        Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith([1, 2, 3]), 30_000));
        foreach (var node in cluster.Nodes.Values)
        {
            var changes = node.History.OfType<ConfigurationChanged>().ToList();
            Assert.Equal(ConfigurationKind.Transitional, changes[0].Kind);
            Assert.Empty(changes[0].Members);
            Assert.Empty(changes[0].Left);
            Assert.Equal(ConfigurationKind.Regular, changes[1].Kind);
            Assert.Equal(changes[0].RingId, changes[1].RingId);
            Assert.Contains(node.Id, changes[1].Members);
            Assert.Contains(node.Id, changes[1].Joined);
            Assert.Contains(node.Outputs.Select(o => o.Output).OfType<SrpLog>(), l =>
                l.Template == "A new membership ({RingId}) was formed. Members joined: {Joined}" && ((string)l.Args[1]!).Split(' ').Contains(node.Id.ToString()));
            // Every later transitional configuration lists the node itself.
            Assert.All(changes.Skip(2).Where(c => c.Kind == ConfigurationKind.Transitional), c => Assert.Contains(node.Id, c.Members));
        }
    }

    [Fact]
    public void Singleton_ring_delivers_its_own_messages_in_order()
    {
        var cluster = new SrpCluster(2, [1]);
        cluster.BootAll();
        cluster.RunFor(2000);
        for (var i = 0; i < 100; i++) cluster.Submit(1, i % 3 == 0 ? DeliveryGuarantee.Safe : DeliveryGuarantee.Agreed);
        cluster.RunFor(5000);
        var delivered = cluster[1].Delivered.Select(d => SrpCluster.Decode(d.Payload).Index).ToList();
        Assert.Equal(Enumerable.Range(0, 100), delivered);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Nodes_boot_and_form_one_ring(int nodes)
    {
        for (var seed = 0; seed < 10; seed++)
        {
            var cluster = FormedRing(seed, nodes, 0, 2);
            var ring = cluster[1].Engine!.RingId;
            Assert.Equal(new NodeId(1), ring.Representative);
            foreach (var node in cluster.Nodes.Values) Assert.Equal(ring, node.Engine!.RingId);
        }
    }

    [Fact]
    public void Token_rotates_in_ascending_node_id_order()
    {
        var cluster = new SrpCluster(3, [5, 2, 9, 4]) { MinDelayMs = 1, MaxDelayMs = 1 };
        cluster.BootAll();
        Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith([2, 4, 5, 9]), 30_000));
        var start = cluster[2].Outputs.Count;
        var starts = cluster.Nodes.ToDictionary(n => n.Key, n => n.Value.Outputs.Count);
        cluster.Submit(9);
        cluster.RunFor(50);
        var expectedNext = new Dictionary<uint, uint> { [2] = 4, [4] = 5, [5] = 9, [9] = 2 };
        foreach (var (id, node) in cluster.Nodes)
        {
            var tokenSends = node.Outputs.Skip(starts[id]).Select(o => o.Output).OfType<SendMessage>()
                .Where(s => s.Message is OrfToken).ToList();
            Assert.NotEmpty(tokenSends);
            Assert.All(tokenSends, s => Assert.Equal(new NodeId(expectedNext[id.Value]), s.Destination));
        }
        Assert.True(start > 0);
    }

    [Fact]
    public void Total_order_is_identical_on_all_nodes_for_thousands_of_messages()
    {
        var cluster = FormedRing(11, 5);
        for (var round = 0; round < 100; round++)
        {
            foreach (var id in new uint[] { 1, 2, 3, 4, 5 })
                for (var k = 0; k < 5; k++) cluster.Submit(id);
            cluster.RunFor(3);
        }
        Assert.True(cluster.RunUntil(() => cluster.Nodes.Values.All(n => n.Delivered.Count == 2500), 60_000));
        AssertSameOrder(cluster);
    }

    [Fact]
    public void Loss_duplication_and_reordering_are_repaired_by_the_retransmit_list()
    {
        var retransmitLogs = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            var cluster = FormedRing(100 + seed, 4, 0, 3);
            cluster.Loss = 0.1 + (seed % 3) * 0.05;
            cluster.Duplication = 0.1;
            for (var round = 0; round < 30; round++)
            {
                foreach (var id in new uint[] { 1, 2, 3, 4 })
                    cluster.Submit(id, round % 5 == 0 ? DeliveryGuarantee.Safe : DeliveryGuarantee.Agreed);
                cluster.RunFor(5);
            }
            var done = cluster.RunUntil(() => cluster.Nodes.Values.All(n => n.Delivered.Count >= 120), 120_000);
            Assert.True(done, $"seed {cluster.Seed}: not all delivered ({string.Join(",", cluster.Nodes.Values.Select(n => n.Delivered.Count))}) states {string.Join(",", cluster.Nodes.Values.Select(n => n.Engine!.State))}");
            // With losses severe enough the ring may reform; messages then still reach everyone exactly once.
            foreach (var node in cluster.Nodes.Values)
            {
                var ids = node.Delivered.Select(d => SrpCluster.Decode(d.Payload)).ToList();
                Assert.Equal(ids.Count, ids.Distinct().Count());
                foreach (var source in new uint[] { 1, 2, 3, 4 })
                    Assert.Equal(Enumerable.Range(0, 30), ids.Where(i => i.Node == source).Select(i => i.Index));
            }
            AssertSameOrder(cluster);
            retransmitLogs += cluster.Nodes.Values.Sum(n => n.Logs("Retransmit List:").Count());
            Assert.True(cluster.Nodes.Values.Sum(n => (long)n.Engine!.Counters.McastRetx) > 0);
        }
        Assert.True(retransmitLogs > 0);
    }

    [Fact]
    public void Safe_messages_are_delivered_only_after_every_member_has_them()
    {
        for (var seed = 0; seed < 10; seed++)
        {
            var cluster = FormedRing(20 + seed, 3, 1, 2);
            // Node 3 misses the first transmission of every mcast: it gets them only through the retransmit list.
            var droppedOnce = new HashSet<uint>();
            cluster.DropFilter = (from, to, m) => m is McastMessage mc && to.Value == 3 && droppedOnce.Add(mc.Seq);
            for (var i = 0; i < 5; i++) cluster.Submit((uint)(i % 2 + 1), DeliveryGuarantee.Safe);
            Assert.True(cluster.RunUntil(() =>
            {
                // Whenever any node has delivered a safe message, every member holds it.
                foreach (var node in cluster.Nodes.Values)
                    foreach (var d in node.Delivered)
                        Assert.All(cluster.Nodes.Values, other => Assert.True(SeqNo.Gte(other.Engine!.MyAru, d.Seq),
                            $"seed {seed}: node {node.Id} delivered safe seq {d.Seq} before node {other.Id} had it (aru {other.Engine!.MyAru})"));
                return cluster.Nodes.Values.All(n => n.Delivered.Count == 5);
            }, 20_000));
            Assert.True(cluster[3].Engine!.Counters.RetransmitRequests > 0);
            AssertSameOrder(cluster);
        }
    }

    [Fact]
    public void Agreed_message_is_delivered_before_all_members_have_it_but_safe_is_not()
    {
        var cluster = FormedRing(6, 3, 1, 1);
        cluster.DropFilter = (from, to, m) => m is McastMessage && to.Value == 3;
        cluster.Submit(1, DeliveryGuarantee.Agreed);
        cluster.RunFor(20);
        cluster.Submit(2, DeliveryGuarantee.Safe);
        cluster.RunFor(200);
        var delivered = Assert.Single(cluster[1].Delivered);
        Assert.Equal(DeliveryGuarantee.Agreed, delivered.Guarantee);
        Assert.Single(cluster[2].Delivered);
        Assert.Empty(cluster[3].Delivered);
        cluster.DropFilter = null;
        Assert.True(cluster.RunUntil(() => cluster.Nodes.Values.All(n => n.Delivered.Count == 2), 10_000));
        AssertSameOrder(cluster);
    }

    [Fact]
    public void Idle_ring_holds_the_token_and_hold_cancel_wakes_it()
    {
        var cluster = FormedRing(7, 5, 1, 1);
        var timeouts = CorosyncDefaults.For(5);
        cluster.RunFor(20_000);
        var rotation = cluster[3].Engine!.Counters.TokenRotationLastMs;
        Assert.InRange(rotation, timeouts.Hold, timeouts.Hold + 20);
        var tokensBefore = cluster[3].Engine!.Counters.OrfTokenRx;
        cluster.RunFor(10_000);
        var tokens = cluster[3].Engine!.Counters.OrfTokenRx - tokensBefore;
        Assert.InRange((long)tokens, 10_000 / (timeouts.Hold + 20), 10_000 / timeouts.Hold + 1);

        // A node with something to send cancels the hold: delivered within a few network delays, not after hold.
        var submittedAt = cluster.Now;
        cluster.Submit(4);
        Assert.True(cluster.RunUntil(() => cluster.Nodes.Values.All(n => n.Delivered.Count == 1), cluster.Now + 5_000));
        Assert.True(cluster.Now - submittedAt < 50, $"delivery took {cluster.Now - submittedAt} ms");
        Assert.True(cluster[4].Engine!.Counters.TokenHoldCancelTx >= 1);
        Assert.True(cluster[1].Engine!.Counters.TokenHoldCancelRx >= 1);
    }

    [Fact]
    public void Lost_token_is_retransmitted_and_the_ring_survives()
    {
        var cluster = FormedRing(8, 3, 1, 1);
        var ring = cluster[1].Engine!.RingId;
        var dropped = 0;
        cluster.DropFilter = (from, to, m) => m is OrfToken && dropped++ < 2;
        cluster.Submit(2);
        cluster.RunFor(5_000);
        Assert.True(dropped > 2);
        Assert.All(cluster.Nodes.Values, n => Assert.Single(n.Delivered));
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(ring, n.Engine!.RingId));
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(SrpState.Operational, n.Engine!.State));
        Assert.All(cluster.Nodes.Values, n => Assert.Empty(n.Logs("A processor failed")));
    }

    /// <summary>
    /// Issue 10 (traffic seeds 100585, 101355, 106270, 107818, 108115): a member that missed a multicast can only
    /// ask for it on the token, so when the token is lost as well nothing moves until the token's last sender
    /// resends it after token_retransmit (totemsrp.c timer_function_token_retransmit_timeout). That is not a
    /// membership change, and with four nodes it takes 1023 ms: longer than the fixed second after which the
    /// simulator used to judge that every message had been delivered.
    /// </summary>
    [Fact]
    public void A_multicast_missed_together_with_the_token_is_recovered_after_token_retransmit_on_the_same_ring()
    {
        var cluster = FormedRing(11, 4, 1, 1);
        var timeouts = CorosyncDefaults.For(4);
        var ring = cluster[1].Engine!.RingId;
        // Past the boot's singleton token hold timers: as in corosync they outlive the singleton ring and fire once more
        // (timer_function_token_hold_retransmit_timeout only checks the state), resending this ring's last token early.
        cluster.RunFor(timeouts.TokenRetransmit);
        uint? lostSeq = null;
        long tokenLostAt = -1;
        cluster.DropFilter = (from, to, m) =>
        {
            if (m is McastMessage mcast && lostSeq is null && from.Value == 4 && to.Value == 3)
            {
                lostSeq = mcast.Seq;
                return true;
            }
            if (m is OrfToken && lostSeq is not null && tokenLostAt < 0)
            {
                tokenLostAt = cluster.Now;
                return true;
            }
            return false;
        };
        cluster.Submit(4);
        Assert.True(cluster.RunUntil(() => tokenLostAt >= 0, cluster.Now + 1_000), "the token carrying node 4's multicast was never sent");

        // The others delivered it; node 3 cannot even ask for it until the token comes back.
        cluster.RunUntil(tokenLostAt + timeouts.TokenRetransmit - 1);
        Assert.Empty(cluster[3].Delivered);
        Assert.All(new uint[] { 1, 2, 4 }, id => Assert.Single(cluster[id].Delivered));

        Assert.True(cluster.RunUntil(() => cluster[3].Delivered.Count == 1, tokenLostAt + timeouts.Token));
        Assert.InRange(cluster.Now, tokenLostAt + timeouts.TokenRetransmit, tokenLostAt + timeouts.TokenRetransmit + 100);
        Assert.True(timeouts.TokenRetransmit > 1_000);
        Assert.Equal(lostSeq, cluster[3].Delivered[0].Seq);
        Assert.True(cluster[3].Engine!.Counters.RetransmitRequests > 0);
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(ring, n.Engine!.RingId));
        Assert.All(cluster.Nodes.Values, n => Assert.Equal(SrpState.Operational, n.Engine!.State));
        AssertSameOrder(cluster);
    }

    [Fact]
    public void Token_warning_is_logged_before_the_token_is_declared_lost()
    {
        var cluster = FormedRing(9, 3, 1, 1);
        cluster.Crash(2);
        var timeouts = CorosyncDefaults.For(3);
        cluster.RunFor(timeouts.Token + 10);
        Assert.NotEmpty(cluster[3].Logs("Token has not been received in {ElapsedMs} ms"));
        var warning = cluster[3].Outputs.Select(o => o.Output).OfType<SrpLog>()
            .First(l => l.Template.StartsWith("Token has not been received", StringComparison.Ordinal));
        Assert.InRange(Convert.ToInt64(warning.Args[0], System.Globalization.CultureInfo.InvariantCulture),
            timeouts.Token * 75 / 100, timeouts.Token);
        Assert.NotEmpty(cluster[3].Logs("A processor failed, forming new configuration"));
    }

    internal static void AssertSameOrder(SrpCluster cluster)
    {
        var sequences = cluster.Nodes.Values.Select(n => n.Delivered.Select(d => (d.RingId, d.Seq, SrpCluster.Decode(d.Payload))).ToList()).ToList();
        var longest = sequences.OrderByDescending(s => s.Count).First();
        foreach (var sequence in sequences)
        {
            // Every node's deliveries are a prefix of the longest one (agreed order).
            Assert.Equal(longest.Take(sequence.Count), sequence);
        }
    }
}
