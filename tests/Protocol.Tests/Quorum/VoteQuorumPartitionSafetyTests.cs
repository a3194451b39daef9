using Totem.Protocol.Config;
using Totem.Protocol.Quorum;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Quorum;

/// <summary>
/// Issue 10: two disjoint partitions must never both be quorate. The mechanisms of the failing simulation seeds,
/// reduced to the calculators and an idealised ring.
/// </summary>
public class VoteQuorumPartitionSafetyTests
{
    private static readonly QuorumSettings Plain = QuorumSettings.Default;

    /// <summary>
    /// Seed 20283 (lowest) and its mirror image (highest), and the same history with a tie-breaker list: node 2 (or 3)
    /// was last quorate in a membership without the cluster's tie-breaker node, was isolated, and then formed an even
    /// half with a node that had been quorate with the tie-breaker node, while the tie-breaker node's half formed too.
    /// Only the half with the configured cluster's tie-breaker node may keep quorum, and the other half agrees on it.
    /// </summary>
    [Theory]
    [InlineData(AutoTieBreakerMode.Lowest, new uint[0], new uint[] { 2, 3, 4 }, new uint[] { 2 }, new uint[] { 1, 3, 4 }, new uint[] { 1, 4 }, new uint[] { 2, 3 })]
    [InlineData(AutoTieBreakerMode.Highest, new uint[0], new uint[] { 1, 2, 3 }, new uint[] { 3 }, new uint[] { 1, 2, 4 }, new uint[] { 1, 4 }, new uint[] { 2, 3 })]
    [InlineData(AutoTieBreakerMode.List, new uint[] { 1, 2 }, new uint[] { 1, 2, 3, 4 }, new uint[] { 2 }, new uint[] { 1, 3, 4 }, new uint[] { 1, 4 }, new uint[] { 2, 3 })]
    public void An_even_split_is_won_only_by_the_half_with_the_tie_breaker_node_of_the_whole_cluster(
        AutoTieBreakerMode mode, uint[] list, uint[] lastQuorateWithout, uint[] isolated, uint[] rest, uint[] winner, uint[] loser)
    {
        var settings = Plain with { AutoTieBreaker = mode, AutoTieBreakerNodes = list.Select(n => new NodeId(n)).ToValueList() };
        var cluster = QuorumCluster.Start(settings, 1, 2, 3, 4);
        cluster.Form([1, 2, 3, 4]);
        cluster.Form(lastQuorateWithout);
        Assert.All(lastQuorateWithout, id => Assert.True(cluster.Status(id).Quorate));
        cluster.Form(isolated, rest);
        Assert.All(isolated, id => Assert.False(cluster.Status(id).Quorate));
        Assert.All(rest, id => Assert.True(cluster.Status(id).Quorate));

        cluster.Form(winner, loser);

        Assert.All(winner, id => Assert.True(cluster.Status(id).Quorate, $"node {id} of [{string.Join(" ", winner)}] holds the tie-breaker node"));
        Assert.All(loser, id => Assert.False(cluster.Status(id).Quorate, $"node {id} of [{string.Join(" ", loser)}] must not be quorate: [{string.Join(" ", winner)}] is"));
    }

    /// <summary>Seed 104972: six nodes, the last quorate membership [3 4 5 6] named node 3 lowest; [2 3 6] and [1 4 5] split evenly.</summary>
    [Fact]
    public void Six_nodes_split_three_three_give_quorum_to_the_half_with_node_1_only()
    {
        var cluster = QuorumCluster.Start(Plain with { AutoTieBreaker = AutoTieBreakerMode.Lowest }, 1, 2, 3, 4, 5, 6);
        cluster.Form([1, 2, 3, 4, 5, 6]);
        cluster.Form([1, 2], [3, 4, 5, 6]);
        Assert.True(cluster.Status(3).Quorate);

        cluster.Form([2, 3, 6], [1, 4, 5]);

        Assert.All(new uint[] { 1, 4, 5 }, id => Assert.True(cluster.Status(id).Quorate));
        Assert.All(new uint[] { 2, 3, 6 }, id => Assert.False(cluster.Status(id).Quorate));
    }

    /// <summary>
    /// votequorum tells the rest of corosync about a new membership only in votequorum_sync_activate, which sync.c calls
    /// after the barrier of every member, so after every member's node-info: a partial exchange must not make a node quorate.
    /// </summary>
    [Fact]
    public void A_node_becomes_quorate_only_when_every_member_s_node_info_of_the_membership_is_in()
    {
        var nodelist = new uint[] { 1, 2, 3 }.Select(id => new NodeEntry(new NodeId(id), $"node{id}", $"10.0.0.{id}", 1, (int)id)).ToList();
        var node1 = new VoteQuorum(new NodeId(1), Plain, nodelist);
        var ring = new RingId(new NodeId(1), 8);
        var members = new[] { 1u, 2u, 3u }.Select(id => new NodeId(id)).ToValueList();

        node1.Handle(new MembershipChanged(ring, members), 0);
        var sent = node1.Handle(new SyncProcess(), 0).OfType<MulticastNodeInfo>().Single();
        node1.Handle(new NodeInfoReceived(new NodeId(1), sent.Info), 1);
        var afterTwo = node1.Handle(new NodeInfoReceived(new NodeId(2), new NodeInfo(new NodeId(2), 1, 3, NodeInfoFlags.None)), 2);

        // Two of three votes are a majority, but node 3's node-info of this membership is not in yet.
        Assert.False(node1.Quorate);
        Assert.False(node1.Status.Quorate);
        Assert.Empty(afterTwo.OfType<QuorumChanged>());

        node1.Handle(new NodeInfoReceived(new NodeId(3), new NodeInfo(new NodeId(3), 1, 3, NodeInfoFlags.None)), 3);
        // All node-info is in, but the view waits for sync.c's activation (every member's barrier).
        Assert.False(node1.Quorate);
        var afterAll = node1.Handle(new SyncActivate(), 4);

        Assert.True(node1.Quorate);
        Assert.True(node1.Status.Quorate);
        Assert.True(Assert.Single(afterAll.OfType<QuorumChanged>()).Quorate);
    }

    /// <summary>
    /// A nodelist without nodeids (udpu derives them from the IPv4 address): the tie-breaker is still the lowest node
    /// of the whole cluster, also for nodes that have never seen it in a membership.
    /// </summary>
    [Fact]
    public void The_tie_breaker_node_is_known_from_the_nodelist_when_nodeids_are_derived_from_addresses()
    {
        var nodelist = Enumerable.Range(1, 4).Select(i => new NodeEntry(null, $"node{i}", $"10.0.0.{i}", 1, i)).ToList();
        var settings = Plain with { AutoTieBreaker = AutoTieBreakerMode.Lowest, ExpectedVotes = 4 };
        var cluster = new QuorumCluster();
        uint Id(int i) => NodeIdDerivation.FromIPv4Address($"10.0.0.{i}")!.Value.Value;
        for (var i = 1; i <= 4; i++) cluster.Boot(Id(i), settings, nodelist);

        // Node 1 is slow to start: the others are quorate without ever having seen it, then split evenly.
        cluster.Form([Id(2), Id(3), Id(4)]);
        Assert.True(cluster.Status(Id(2)).Quorate);
        cluster.Form([Id(1), Id(4)], [Id(2), Id(3)]);

        Assert.False(cluster.Status(Id(2)).Quorate);
        Assert.False(cluster.Status(Id(3)).Quorate);
        Assert.True(cluster.Status(Id(4)).Quorate);
    }
}
