using Totem.Protocol.Config;
using Totem.Protocol.Quorum;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Quorum;

public class VoteQuorumCommandTests
{
    private static readonly QuorumSettings Plain = QuorumSettings.Default;

    [Fact]
    public void Expected_one_makes_an_isolated_survivor_quorate()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3, 4, 5]);
        cluster.Form([1]);
        Assert.False(cluster.Status(1).Quorate);
        cluster.DrainLogs(1);

        var result = cluster.Command(1, new SetExpectedVotes(1));

        Assert.True(result.Accepted, result.Reason);
        var status = cluster.Status(1);
        Assert.True(status.Quorate);
        Assert.Equal((1u, 1u, 1u), (status.ExpectedVotes, status.Quorum, status.TotalVotes));
        Assert.Equal(
        [
            "Expected votes set to 1 by node 1",
            "This node is within the primary component and will provide service.",
            "Members[1]: 1",
        ], cluster.DrainLogs(1));
    }

    [Fact]
    public void Expected_votes_set_on_one_node_apply_to_every_member()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3, 4, 5]);
        cluster.Form([1, 2, 3]);

        Assert.True(cluster.Command(2, new SetExpectedVotes(4)).Accepted);

        Assert.All(new uint[] { 1, 2, 3 }, id =>
        {
            var status = cluster.Status(id);
            Assert.Equal((4u, 4u, 3u), (status.ExpectedVotes, status.HighestExpected, status.Quorum));
            Assert.True(status.Quorate);
        });
    }

    [Theory]
    [InlineData(new uint[] { 1, 2, 3, 4, 5 }, 3u, "expected votes 3 is below the 5 votes of the current members")]
    [InlineData(new uint[] { 1, 2, 3 }, 2u, "expected votes 2 is below the 3 votes of the current members")]
    [InlineData(new uint[] { 1, 2, 3 }, 7u, "expected votes 7 needs quorum 4 but the current members have 3 votes: the cluster would lose quorum")]
    [InlineData(new uint[] { 1, 2, 3 }, 0u, "expected votes must be at least 1")]
    public void Expected_votes_that_corosync_refuses_change_nothing(uint[] members, uint expected, string reason)
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3, 4, 5]);
        cluster.Form(members);
        var before = cluster.Status(1);

        var result = cluster.Command(1, new SetExpectedVotes(expected));

        Assert.False(result.Accepted);
        Assert.Equal(reason, result.Reason);
        Assert.Equal(before, cluster.Status(1));
    }

    [Fact]
    public void Raising_expected_votes_of_a_partition_without_quorum_is_allowed()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3, 4, 5]);
        cluster.Form([1, 2]);
        Assert.True(cluster.Command(1, new SetExpectedVotes(9)).Accepted);
        Assert.Equal((9u, 5u), (cluster.Status(2).ExpectedVotes, cluster.Status(2).Quorum));
    }

    [Fact]
    public void Votes_can_be_changed_where_corosync_allows_it()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3);
        cluster.Form([1, 2, 3]);

        Assert.True(cluster.Command(3, new SetVotes(new NodeId(1), 2)).Accepted);

        Assert.All(new uint[] { 1, 2, 3 }, id =>
        {
            var status = cluster.Status(id);
            Assert.Equal(2u, status.Nodes.Single(n => n.NodeId == new NodeId(1)).Votes);
            Assert.Equal((4u, 4u, 3u), (status.TotalVotes, status.ExpectedVotes, status.Quorum));
        });
        Assert.Equal(2u, cluster.Status(1).Votes);
    }

    [Fact]
    public void Votes_that_corosync_refuses_change_nothing()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3, 4, 5]);
        cluster.Form([1, 2, 3]);
        var before = cluster.Status(1);

        var dropped = cluster.Command(1, new SetVotes(new NodeId(3), 0));
        Assert.False(dropped.Accepted);
        Assert.Equal("0 votes for node 3 gives quorum 3 with 2 member votes, outside 1..2", dropped.Reason);

        var unknown = cluster.Command(1, new SetVotes(new NodeId(42), 1));
        Assert.False(unknown.Accepted);
        Assert.Equal("node 42 is not known to votequorum", unknown.Reason);
        Assert.Equal(before, cluster.Status(1));
    }
}
