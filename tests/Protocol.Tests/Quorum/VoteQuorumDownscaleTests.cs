using Totem.Protocol.Config;
using Totem.Protocol.Quorum;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Quorum;

/// <summary>
/// allow_downscale (votequorum(5)): a node that stops cleanly sends its node-info with the Leaving flag
/// (votequorum_exec_exit_fn); the members lower expected votes to those left when it arrives, never below the
/// configured expected votes (ev_barrier). A crash announces nothing and lowers nothing.
/// </summary>
public class VoteQuorumDownscaleTests
{
    private static readonly uint[] Seven = [1, 2, 3, 4, 5, 6, 7];

    // The lab's shape: quorum.expected_votes 5, grown to 7 nodes (expected votes rise to the votes present).
    private static QuorumCluster Grown(bool allowDownscale)
    {
        var cluster = QuorumCluster.Start(QuorumSettings.Default with { ExpectedVotes = 5, AllowDownscale = allowDownscale }, Seven);
        cluster.Form(Seven);
        var status = cluster.Status(1);
        Assert.Equal(7u, status.ExpectedVotes);
        Assert.Equal(4u, status.Quorum);
        Assert.Equal(5u, status.ExpectedVotesBarrier);
        return cluster;
    }

    private static void LeaveCleanly(QuorumCluster cluster, uint node, params uint[] remaining)
    {
        Assert.True(cluster.Command(node, new AnnounceLeaving()).Accepted);
        cluster.Form(remaining);
    }

    [Fact]
    public void The_leave_goes_out_as_node_info_with_the_leaving_flag_and_comes_back_as_announced()
    {
        var node = new VoteQuorum(new NodeId(3), QuorumSettings.Default with { ExpectedVotes = 5, AllowDownscale = true }, []);
        var outputs = node.Handle(new AnnounceLeaving(), 0);
        var info = Assert.Single(outputs.OfType<MulticastNodeInfo>()).Info;
        Assert.Equal(new NodeId(3), info.NodeId);
        Assert.True(info.Flags.HasFlag(NodeInfoFlags.Leaving));
        Assert.True(Assert.Single(outputs.OfType<CommandResult>()).Accepted);
        Assert.Contains(outputs.OfType<QuorumLog>(), l => l.Render() == "Leaving the cluster: telling the other nodes (allow_downscale)");

        var delivered = node.Handle(new NodeInfoReceived(new NodeId(3), info), 1);
        Assert.Single(delivered.OfType<LeavingAnnounced>());
        Assert.Equal(QuorumNodeState.Leaving, node.Status.Nodes.Single(n => n.NodeId == new NodeId(3)).State);
    }

    [Fact]
    public void Without_allow_downscale_nothing_is_announced()
    {
        var node = new VoteQuorum(new NodeId(3), QuorumSettings.Default with { ExpectedVotes = 5 }, []);
        var outputs = node.Handle(new AnnounceLeaving(), 0);
        Assert.Empty(outputs.OfType<MulticastNodeInfo>());
        var result = Assert.Single(outputs.OfType<CommandResult>());
        Assert.False(result.Accepted);
        Assert.Contains("allow_downscale is not set", result.Reason);
        Assert.False(node.Status.Flags.HasFlag(QuorumFlags.AllowDownscale));
    }

    [Fact]
    public void Clean_leaves_lower_expected_votes_one_by_one_down_to_the_configured_expected_votes()
    {
        var cluster = Grown(allowDownscale: true);
        Assert.Equal("Quorate AllowDownscale", cluster.Status(1).FlagsText);
        cluster.DrainLogs(1);

        Assert.True(cluster.Command(7, new AnnounceLeaving()).Accepted);
        // Lowered on delivery of the leaving node-info, before the ring even changes.
        Assert.Equal(6u, cluster.Status(1).ExpectedVotes);
        Assert.Equal(4u, cluster.Status(1).Quorum);
        Assert.Equal(QuorumNodeState.Leaving, cluster.Status(1).Nodes.Single(n => n.NodeId == new NodeId(7)).State);
        Assert.Contains("Node 7 is leaving the cluster: expected votes lowered from 7 to 6, quorum 4 (allow_downscale)", cluster.DrainLogs(1));
        cluster.Form([1, 2, 3, 4, 5, 6]);
        Assert.Equal(6u, cluster.Status(1).ExpectedVotes);

        LeaveCleanly(cluster, 6, 1, 2, 3, 4, 5);
        foreach (var id in new uint[] { 1, 2, 3, 4, 5 })
        {
            Assert.Equal(5u, cluster.Status(id).ExpectedVotes);
            Assert.Equal(3u, cluster.Status(id).Quorum);
            Assert.True(cluster.Status(id).Quorate);
        }

        // Not below the barrier: a fourth node down to 4 leaves expected votes at 5, quorum 3.
        cluster.DrainLogs(1);
        LeaveCleanly(cluster, 5, 1, 2, 3, 4);
        Assert.Equal(5u, cluster.Status(1).ExpectedVotes);
        Assert.Equal(3u, cluster.Status(1).Quorum);
        Assert.Contains("Node 5 is leaving the cluster: expected votes stay 5, quorum 3 (not below quorum.expected_votes 5)", cluster.DrainLogs(1));
    }

    [Fact]
    public void After_two_clean_leaves_three_of_the_five_keep_quorum_when_two_crash()
    {
        var cluster = Grown(allowDownscale: true);
        LeaveCleanly(cluster, 7, 1, 2, 3, 4, 5, 6);
        LeaveCleanly(cluster, 6, 1, 2, 3, 4, 5);

        cluster.Form([1, 2, 3]);

        var status = cluster.Status(1);
        Assert.Equal((true, 5u, 3u, 3u), (status.Quorate, status.ExpectedVotes, status.Quorum, status.TotalVotes));
    }

    [Fact]
    public void Without_allow_downscale_expected_votes_stay_and_three_of_the_five_lose_quorum()
    {
        var cluster = Grown(allowDownscale: false);
        // A node without allow_downscale announces nothing: its shutdown looks like any departure.
        Assert.False(cluster.Command(7, new AnnounceLeaving()).Accepted);
        cluster.Form([1, 2, 3, 4, 5, 6]);
        Assert.False(cluster.Command(6, new AnnounceLeaving()).Accepted);
        cluster.Form([1, 2, 3, 4, 5]);
        Assert.Equal(7u, cluster.Status(1).ExpectedVotes);
        Assert.True(cluster.Status(1).Quorate);

        cluster.Form([1, 2, 3]);

        Assert.False(cluster.Status(1).Quorate);
        Assert.Equal(7u, cluster.Status(1).ExpectedVotes);
        Assert.Equal(4u, cluster.Status(1).Quorum);
    }

    [Fact]
    public void Crashes_never_lower_expected_votes_even_with_allow_downscale()
    {
        var cluster = Grown(allowDownscale: true);
        cluster.Form([1, 2, 3, 4, 5, 6]);
        cluster.Form([1, 2, 3, 4, 5]);
        Assert.Equal(7u, cluster.Status(1).ExpectedVotes);
        Assert.Equal(4u, cluster.Status(1).Quorum);

        cluster.Form([1, 2, 3]);

        Assert.False(cluster.Status(1).Quorate);
        Assert.Equal(7u, cluster.Status(1).ExpectedVotes);
    }

    [Fact]
    public void The_operators_expected_votes_is_the_new_floor()
    {
        var cluster = Grown(allowDownscale: true);
        LeaveCleanly(cluster, 7, 1, 2, 3, 4, 5, 6);
        Assert.True(cluster.Command(1, new SetExpectedVotes(6)).Accepted);
        Assert.Equal(6u, cluster.Status(2).ExpectedVotesBarrier);

        LeaveCleanly(cluster, 6, 1, 2, 3, 4, 5);

        Assert.Equal(6u, cluster.Status(1).ExpectedVotes);
        Assert.Equal(4u, cluster.Status(1).Quorum);
    }

    [Fact]
    public void A_node_that_left_cleanly_counts_again_when_it_comes_back()
    {
        var cluster = Grown(allowDownscale: true);
        LeaveCleanly(cluster, 7, 1, 2, 3, 4, 5, 6);
        cluster.Boot(7, QuorumSettings.Default with { ExpectedVotes = 5, AllowDownscale = true },
            [.. Seven.Select((id, i) => new NodeEntry(new NodeId(id), $"node{id}", $"10.0.0.{id}", 1, i + 1))]);

        cluster.Form(Seven);

        Assert.Equal(7u, cluster.Status(1).ExpectedVotes);
        Assert.Equal(4u, cluster.Status(1).Quorum);
        Assert.Equal(QuorumNodeState.Member, cluster.Status(1).Nodes.Single(n => n.NodeId == new NodeId(7)).State);
    }
}
