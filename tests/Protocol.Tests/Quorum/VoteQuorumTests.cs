using Totem.Protocol.Config;
using Totem.Protocol.Quorum;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Quorum;

public class VoteQuorumTests
{
    private static readonly QuorumSettings Plain = QuorumSettings.Default;

    [Theory]
    [InlineData(1u, 1u)]
    [InlineData(2u, 2u)]
    [InlineData(3u, 2u)]
    [InlineData(4u, 3u)]
    [InlineData(5u, 3u)]
    [InlineData(8u, 5u)]
    [InlineData(16u, 9u)]
    public void Majority_is_half_plus_one(uint votes, uint majority) =>
        Assert.Equal(majority, QuorumMath.MajorityOf(votes));

    [Fact]
    public void Five_nodes_of_one_vote_expect_five_with_quorum_three()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3, 4, 5]);

        var status = cluster.Status(1);
        Assert.True(status.Quorate);
        Assert.Equal(5u, status.ExpectedVotes);
        Assert.Equal(5u, status.HighestExpected);
        Assert.Equal(5u, status.TotalVotes);
        Assert.Equal(3u, status.Quorum);
        Assert.Equal(QuorumFlags.Quorate, status.Flags);
        Assert.Equal("Quorate", status.FlagsText);
        Assert.Equal(new RingId(new NodeId(1), 4), status.RingId);
        Assert.All(status.Nodes, n => Assert.Equal(QuorumNodeState.Member, n.State));
        Assert.Equal("node3", status.Nodes.Single(n => n.NodeId == new NodeId(3)).Name);
    }

    [Theory]
    [InlineData(new uint[] { 1, 2, 3 }, true, 3u)]
    [InlineData(new uint[] { 1, 2 }, false, 2u)]
    [InlineData(new uint[] { 1 }, false, 1u)]
    public void Survivors_of_five_keep_quorum_only_with_three(uint[] survivors, bool quorate, uint totalVotes)
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3, 4, 5]);
        cluster.Form(survivors);

        var status = cluster.Status(survivors[0]);
        Assert.Equal(quorate, status.Quorate);
        Assert.Equal(5u, status.ExpectedVotes);
        Assert.Equal(3u, status.Quorum);
        Assert.Equal(totalVotes, status.TotalVotes);
        Assert.Equal(5 - survivors.Length, status.Nodes.Count(n => n.State == QuorumNodeState.Dead));
    }

    [Fact]
    public void A_minority_is_not_quorate_from_the_moment_its_membership_shrinks_before_any_node_info()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3, 4, 5]);
        Assert.True(cluster.Status(1).Quorate);

        // Only the membership change, no node-info yet: the two that are left must not still claim quorum
        // while the other three may already have formed their own quorate ring.
        var minority = new[] { new NodeId(1), new NodeId(2) }.ToValueList();
        cluster[1].Handle(new MembershipChanged(new RingId(new NodeId(1), 100), minority), cluster.Now);

        Assert.False(cluster.Status(1).Quorate);
        Assert.Equal(minority, cluster.Status(1).Members);
    }

    [Fact]
    public void A_node_with_two_votes_counts_twice()
    {
        var cluster = QuorumCluster.StartWithVotes(Plain, (1, 2), (2, 1), (3, 1));
        cluster.Form([1, 2, 3]);
        Assert.Equal(4u, cluster.Status(1).ExpectedVotes);
        Assert.Equal(3u, cluster.Status(1).Quorum);

        cluster.Form([1, 2], [3]);
        Assert.True(cluster.Status(1).Quorate);
        Assert.Equal(3u, cluster.Status(2).TotalVotes);
        Assert.False(cluster.Status(3).Quorate);

        cluster.Form([1], [2], [3]);
        Assert.False(cluster.Status(1).Quorate);
        Assert.Equal(2u, cluster.Status(1).TotalVotes);
    }

    [Fact]
    public void Expected_votes_rise_to_the_votes_present()
    {
        var fourNodeList = Enumerable.Range(1, 4).Select(i => new NodeEntry(new NodeId((uint)i), null, null, 1, i)).ToList();
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3);
        cluster.Boot(4, Plain, fourNodeList);
        Assert.Equal(3u, cluster.Status(1).ExpectedVotes);

        cluster.Form([1, 2, 3, 4]);

        Assert.All(new uint[] { 1, 4 }, id =>
        {
            Assert.Equal(4u, cluster.Status(id).ExpectedVotes);
            Assert.Equal(3u, cluster.Status(id).Quorum);
        });
        cluster.Form([1, 2]);
        Assert.False(cluster.Status(1).Quorate);
        Assert.Equal(4u, cluster.Status(1).ExpectedVotes);
    }

    [Fact]
    public void Highest_expected_reported_by_a_quorate_member_raises_quorum()
    {
        var fiveExpected = Plain with { ExpectedVotes = 5 };
        var oneExpected = Plain with { ExpectedVotes = 1 };
        var cluster = new QuorumCluster();
        foreach (var id in new uint[] { 1, 2, 3 }) cluster.Boot(id, fiveExpected, []);
        cluster.Boot(4, oneExpected, []);
        cluster.Form([1, 2, 3], [4]);
        Assert.True(cluster.Status(1).Quorate);
        Assert.True(cluster.Status(4).Quorate);
        Assert.Equal(1u, cluster.Status(4).Quorum);

        cluster.Form([1, 2, 3, 4]);

        var joined = cluster.Status(4);
        Assert.Equal(5u, joined.HighestExpected);
        Assert.Equal(4u, joined.ExpectedVotes);
        Assert.Equal(3u, joined.Quorum);
        Assert.Equal(3u, cluster.Status(1).Quorum);
        Assert.Equal(5u, cluster.Status(1).ExpectedVotes);
    }

    [Fact]
    public void Quorum_never_decreases_by_itself()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3, 4, 5]);
        cluster.Form([1, 2, 3]);
        cluster.Form([1, 2]);
        cluster.Form([1, 2, 3]);
        var status = cluster.Status(1);
        Assert.Equal(3u, status.Quorum);
        Assert.Equal(5u, status.ExpectedVotes);
        Assert.True(status.Quorate);
    }

    [Fact]
    public void Logs_use_corosyncs_wording_for_membership_and_quorum()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3);
        cluster.DrainLogs(1);
        cluster.Form([1, 2, 3]);
        Assert.Equal(
        [
            "Sync members[3]: 1 2 3",
            "Sync joined[3]: 1 2 3",
            "This node is within the primary component and will provide service.",
            "Members[3]: 1 2 3",
        ], cluster.DrainLogs(1));

        cluster.Form([1], [2, 3]);
        Assert.Equal(
        [
            "Sync members[1]: 1",
            "Sync left[2]: 2 3",
            "This node is within the non-primary component and will NOT provide any services.",
            "Members[1]: 1",
        ], cluster.DrainLogs(1));
        Assert.Contains(cluster.Drain(2).OfType<QuorumChanged>(), q => q.Quorate && q.Members.Count == 2);
    }

    [Fact]
    public void The_quorum_view_comes_when_the_sync_activates_votequorum()
    {
        var nodelist = new[] { 1u, 2u }.Select(i => new NodeEntry(new NodeId(i), null, null, 1, (int)i)).ToList();
        var node = new VoteQuorum(new NodeId(1), Plain, nodelist);
        var ring = new RingId(new NodeId(1), 8);

        // sync_init sends nothing; sync_process sends the node-info, once however often it is called.
        Assert.Empty(node.Handle(new MembershipChanged(ring, ValueList.Of(new NodeId(1), new NodeId(2))), 0).OfType<MulticastNodeInfo>());
        var sent = Assert.Single(node.Handle(new SyncProcess(), 0).OfType<MulticastNodeInfo>()).Info;
        Assert.Empty(node.Handle(new SyncProcess(), 0).OfType<MulticastNodeInfo>());
        Assert.Equal(new NodeInfo(new NodeId(1), 1, 2, NodeInfoFlags.None), sent);

        Assert.Empty(node.Handle(new NodeInfoReceived(new NodeId(1), sent), 1).OfType<QuorumChanged>());
        Assert.Empty(node.Handle(new NodeInfoReceived(new NodeId(2), new NodeInfo(new NodeId(2), 1, 2, NodeInfoFlags.None)), 2).OfType<QuorumChanged>());
        Assert.False(node.Quorate);
        var view = Assert.Single(node.Handle(new SyncActivate(), 3).OfType<QuorumChanged>());
        Assert.Equal(new QuorumChanged(true, ring, ValueList.Of(new NodeId(1), new NodeId(2)), 2, 2, 2), view);
        Assert.True(node.Quorate);
        // A second activation of the same sync (none is sent) announces nothing more.
        Assert.Empty(node.Handle(new SyncActivate(), 4).OfType<QuorumChanged>());
    }

    [Fact]
    public void An_aborted_sync_keeps_the_old_verdict_until_the_next_one_activates()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3);
        cluster.Form([1, 2, 3]);
        Assert.True(cluster.Status(1).Quorate);

        // A new ring with everyone again: init and process, then a membership change overtakes the round.
        cluster[1].Handle(new MembershipChanged(new RingId(new NodeId(1), 100), ValueList.Of(new NodeId(1), new NodeId(2), new NodeId(3))), cluster.Now);
        cluster[1].Handle(new SyncProcess(), cluster.Now);
        Assert.Empty(cluster[1].Handle(new SyncAbort(), cluster.Now));
        Assert.True(cluster.Status(1).Quorate);

        cluster.Form([1, 2, 3]);
        Assert.True(cluster.Status(1).Quorate);
    }

    [Fact]
    public void A_nodeinfo_claiming_another_node_is_ignored()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3);
        cluster.Form([1, 2, 3]);
        var outputs = cluster[1].Handle(new NodeInfoReceived(new NodeId(2), new NodeInfo(new NodeId(3), 9, 9, NodeInfoFlags.Quorate)), 0);
        Assert.Equal(QuorumLogLevel.Warning, Assert.Single(outputs.OfType<QuorumLog>()).Level);
        Assert.Equal(3u, cluster.Status(1).TotalVotes);
    }

    [Fact]
    public void A_membership_without_the_local_node_is_rejected()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2);
        var error = Assert.Throws<ArgumentException>(() =>
            cluster[1].Handle(new MembershipChanged(new RingId(new NodeId(2), 4), ValueList.Of(new NodeId(2))), 0));
        Assert.Contains("does not include the local node 1", error.Message);
    }

    [Fact]
    public void A_node_outside_the_nodelist_needs_expected_votes()
    {
        var nodelist = new[] { new NodeEntry(new NodeId(1), null, null, 1, 3) };
        var error = Assert.Throws<ArgumentException>(() => new VoteQuorum(new NodeId(7), Plain, nodelist));
        Assert.Contains("nodelist or quorum.expected_votes must be configured", error.Message);

        var configured = new VoteQuorum(new NodeId(7), Plain with { ExpectedVotes = 3 }, nodelist);
        Assert.Equal(3u, configured.Status.ExpectedVotes);
        Assert.Equal(1u, configured.Status.Votes);
    }

    [Fact]
    public void Configured_expected_votes_override_the_nodelist()
    {
        var cluster = QuorumCluster.Start(Plain with { ExpectedVotes = 7 }, 1, 2, 3);
        cluster.Form([1, 2, 3]);
        Assert.Equal(7u, cluster.Status(1).ExpectedVotes);
        Assert.Equal(4u, cluster.Status(1).Quorum);
        Assert.False(cluster.Status(1).Quorate);
    }

    [Fact]
    public void An_unknown_provider_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new VoteQuorum(new NodeId(1), Plain with { Provider = "corosync_ykd" }, [new NodeEntry(new NodeId(1), null, null, 1, 1)]));
        Assert.Contains("quorum.provider 'corosync_ykd'", error.Message);
    }
}
