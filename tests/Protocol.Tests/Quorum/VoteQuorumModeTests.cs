using Totem.Protocol.Config;
using Totem.Protocol.Quorum;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Quorum;

public class VoteQuorumModeTests
{
    private static readonly QuorumSettings Plain = QuorumSettings.Default;

    [Fact]
    public void Two_node_cold_start_waits_for_both_then_survives_the_loss_of_one()
    {
        var cluster = QuorumCluster.Start(Plain with { TwoNode = true }, 1, 2);
        cluster.Form([1]);
        var alone = cluster.Status(1);
        Assert.False(alone.Quorate);
        Assert.True(alone.WaitingForAll);
        Assert.Equal(1u, alone.Quorum);
        Assert.Equal(QuorumFlags.TwoNode | QuorumFlags.WaitForAll, alone.Flags);
        Assert.Equal("2Node WaitForAll", alone.FlagsText);
        Assert.Contains("Waiting for all cluster members. Current votes: 1 expected_votes: 2", cluster.DrainLogs(1));

        cluster.Form([1, 2]);
        Assert.True(cluster.Status(1).Quorate);
        Assert.Equal(1u, cluster.Status(1).Quorum);

        cluster.Form([1]);
        var survivor = cluster.Status(1);
        Assert.True(survivor.Quorate);
        Assert.Equal(1u, survivor.Quorum);
        Assert.Equal(2u, survivor.ExpectedVotes);
        Assert.Equal(1u, survivor.TotalVotes);
    }

    [Fact]
    public void Two_node_with_wait_for_all_off_is_quorate_alone_at_once()
    {
        var cluster = QuorumCluster.Start(Plain with { TwoNode = true, WaitForAll = false }, 1, 2);
        cluster.Form([1]);
        Assert.True(cluster.Status(1).Quorate);
        Assert.Equal(QuorumFlags.TwoNode | QuorumFlags.Quorate, cluster.Status(1).Flags);
    }

    [Fact]
    public void Two_node_does_not_apply_while_three_nodes_are_present()
    {
        var settings = Plain with { TwoNode = true };
        var cluster = QuorumCluster.Start(settings, 1, 2);
        cluster.Boot(3, settings with { TwoNode = false }, [.. Enumerable.Range(1, 3).Select(i => new NodeEntry(new NodeId((uint)i), null, null, 1, i))]);
        cluster.Form([1, 2, 3]);
        var status = cluster.Status(1);
        Assert.Equal(3u, status.ExpectedVotes);
        Assert.Equal(2u, status.Quorum);
        Assert.True(status.Quorate);

        // As in corosync, two_node is not switched off for good: it applies again whenever at most two nodes are
        // present, so a two_node configuration on a three-node cluster can be quorate on both sides of a split.
        cluster.Form([1], [2, 3]);
        Assert.True(cluster.Status(1).Quorate);
        Assert.Equal(1u, cluster.Status(1).Quorum);
        Assert.True(cluster.Status(2).Quorate);
    }

    [Fact]
    public void Without_wait_for_all_three_of_five_are_quorate_at_cold_start()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3]);
        Assert.True(cluster.Status(1).Quorate);
    }

    [Fact]
    public void Wait_for_all_needs_every_node_once_then_behaves_normally()
    {
        var cluster = QuorumCluster.Start(Plain with { WaitForAll = true }, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3]);
        Assert.False(cluster.Status(1).Quorate);
        Assert.True(cluster.Status(1).WaitingForAll);
        Assert.Contains("Waiting for all cluster members. Current votes: 3 expected_votes: 5", cluster.DrainLogs(1));

        cluster.Form([1, 2, 3, 4, 5]);
        Assert.True(cluster.Status(1).Quorate);
        Assert.False(cluster.Status(1).WaitingForAll);

        cluster.Form([1, 2, 3]);
        Assert.True(cluster.Status(1).Quorate);
        Assert.Equal(3u, cluster.Status(1).Quorum);
    }

    [Fact]
    public void Wait_for_all_waits_again_after_quorum_is_lost_until_a_quorate_node_returns()
    {
        var cluster = QuorumCluster.Start(Plain with { WaitForAll = true }, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3, 4, 5]);
        cluster.Form([1, 2, 3], [4, 5]);
        Assert.True(cluster.Status(1).Quorate);
        Assert.True(cluster.Status(4).WaitingForAll);

        cluster.Form([1, 2, 3, 4, 5]);
        Assert.All(new uint[] { 1, 4 }, id => Assert.True(cluster.Status(id).Quorate));
        Assert.False(cluster.Status(4).WaitingForAll);
    }

    [Fact]
    public void Cancel_wait_for_all_releases_a_waiting_partition()
    {
        var cluster = QuorumCluster.Start(Plain with { WaitForAll = true }, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3]);
        Assert.False(cluster.Status(2).Quorate);

        Assert.True(cluster.Command(1, new CancelWaitForAll()).Accepted);

        Assert.All(new uint[] { 1, 2, 3 }, id => Assert.True(cluster.Status(id).Quorate));
        Assert.Contains("wait_for_all_status reset by user on node 1.", cluster.DrainLogs(2, QuorumLogLevel.Information));
    }

    [Fact]
    public void Last_man_standing_follows_the_members_down_to_two()
    {
        var cluster = QuorumCluster.Start(Plain with { LastManStanding = true, LastManStandingWindowMs = 10000 }, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3, 4, 5]);
        Assert.Null(cluster.LmsDeadline(1));
        Assert.Equal((5u, 3u), (cluster.Status(1).ExpectedVotes, cluster.Status(1).Quorum));

        (uint[] Members, uint Expected, uint Quorum)[] steps = [([1, 2, 3, 4], 4, 3), ([1, 2, 3], 3, 2), ([1, 2], 2, 2)];
        foreach (var (members, expected, quorum) in steps)
        {
            cluster.Advance(1000);
            var before = cluster.Status(1);
            cluster.Form(members);
            Assert.True(cluster.Status(1).Quorate);
            Assert.Equal(before.ExpectedVotes, cluster.Status(1).ExpectedVotes);
            Assert.Equal(cluster.Now + 10000, cluster.LmsDeadline(1));

            cluster.Advance(9999);
            Assert.Equal(before.ExpectedVotes, cluster.Status(1).ExpectedVotes);
            cluster.Advance(1);

            var after = cluster.Status(1);
            Assert.True(after.Quorate);
            Assert.Equal(expected, after.ExpectedVotes);
            Assert.Equal(quorum, after.Quorum);
            Assert.All(after.Nodes.Where(n => n.State == QuorumNodeState.Member), n => Assert.Equal(expected, n.ExpectedVotes));
        }

        cluster.Form([1]);
        Assert.Null(cluster.LmsDeadline(1));
        Assert.False(cluster.Status(1).Quorate);
        Assert.Equal((2u, 2u), (cluster.Status(1).ExpectedVotes, cluster.Status(1).Quorum));
    }

    [Fact]
    public void Last_man_standing_ignores_a_timer_that_was_replaced()
    {
        var cluster = QuorumCluster.Start(Plain with { LastManStanding = true, LastManStandingWindowMs = 10000 }, 1, 2, 3, 4, 5);
        cluster.Form([1, 2, 3, 4, 5]);
        cluster.Form([1, 2, 3, 4]);
        cluster.Advance(5000);
        cluster.Form([1, 2, 3]);

        // The expiry of the replaced timer changes nothing: the node keeps waiting for the current deadline.
        Assert.Equal([new StartLastManStandingTimer(5000, 15000)], cluster[1].Handle(new LastManStandingTimerExpired(), 10000));
        Assert.Equal(5u, cluster.Status(1).ExpectedVotes);
        Assert.Equal(15000, cluster.Status(1).LastManStandingDeadlineMs);

        cluster.Advance(10000);
        Assert.Equal(3u, cluster.Status(1).ExpectedVotes);
        Assert.Equal(2u, cluster.Status(1).Quorum);
    }

    [Fact]
    public void Last_man_standing_is_disabled_by_a_node_with_more_than_one_vote()
    {
        var cluster = QuorumCluster.StartWithVotes(Plain with { LastManStanding = true }, (1, 1), (2, 2), (3, 1));
        cluster.Form([1, 2, 3]);
        Assert.Contains("Last Man Standing feature is supported only when all cluster nodes votes are set to 1. Disabling LMS.",
            cluster.DrainLogs(1, QuorumLogLevel.Warning));
        Assert.False(cluster.Status(1).Flags.HasFlag(QuorumFlags.LastManStanding));
        cluster.Form([1, 2]);
        Assert.Null(cluster.LmsDeadline(1));
    }

    [Fact]
    public void Last_man_standing_with_auto_tie_breaker_goes_down_to_one_node()
    {
        var cluster = QuorumCluster.Start(Plain with { LastManStanding = true, AutoTieBreaker = AutoTieBreakerMode.Lowest }, 1, 2, 3, 4);
        cluster.Form([1, 2, 3, 4]);
        cluster.Form([1, 2, 3]);
        cluster.Advance(10000);
        cluster.Form([1, 2]);
        cluster.Advance(10000);
        Assert.Equal((2u, 2u), (cluster.Status(1).ExpectedVotes, cluster.Status(1).Quorum));

        cluster.Form([1], [2]);
        Assert.True(cluster.Status(1).Quorate);
        Assert.False(cluster.Status(2).Quorate);
        cluster.Advance(10000);
        Assert.Equal((1u, 1u), (cluster.Status(1).ExpectedVotes, cluster.Status(1).Quorum));
        Assert.True(cluster.Status(1).Quorate);
    }

    [Theory]
    [InlineData(AutoTieBreakerMode.Lowest, new uint[0], true)]
    [InlineData(AutoTieBreakerMode.Highest, new uint[0], false)]
    [InlineData(AutoTieBreakerMode.List, new uint[] { 3, 1 }, false)]
    [InlineData(AutoTieBreakerMode.List, new uint[] { 9, 2, 4 }, true)]
    public void Auto_tie_breaker_gives_an_even_split_to_one_side(AutoTieBreakerMode mode, uint[] list, bool lowHalfKeepsQuorum)
    {
        var settings = Plain with { AutoTieBreaker = mode, AutoTieBreakerNodes = list.Select(n => new NodeId(n)).ToValueList() };
        var cluster = QuorumCluster.Start(settings, 1, 2, 3, 4);
        cluster.Form([1, 2, 3, 4]);
        Assert.True(cluster.Status(1).Flags.HasFlag(QuorumFlags.AutoTieBreaker));

        cluster.Form([1, 2], [3, 4]);

        Assert.Equal(lowHalfKeepsQuorum, cluster.Status(1).Quorate);
        Assert.Equal(lowHalfKeepsQuorum, cluster.Status(2).Quorate);
        Assert.Equal(!lowHalfKeepsQuorum, cluster.Status(3).Quorate);
        Assert.Equal(!lowHalfKeepsQuorum, cluster.Status(4).Quorate);
        Assert.All(new uint[] { 1, 3 }, id => Assert.Equal(3u, cluster.Status(id).Quorum));
    }

    [Fact]
    public void Without_auto_tie_breaker_an_even_split_leaves_nobody_quorate()
    {
        var cluster = QuorumCluster.Start(Plain, 1, 2, 3, 4);
        cluster.Form([1, 2, 3, 4]);
        cluster.Form([1, 2], [3, 4]);
        Assert.False(cluster.Status(1).Quorate);
        Assert.False(cluster.Status(3).Quorate);
    }

    [Fact]
    public void Auto_tie_breaker_needs_an_exact_half()
    {
        var cluster = QuorumCluster.Start(Plain with { AutoTieBreaker = AutoTieBreakerMode.Lowest }, 1, 2, 3, 4);
        cluster.Form([1, 2, 3, 4]);
        cluster.Form([1], [2, 3, 4]);
        Assert.False(cluster.Status(1).Quorate);
        Assert.True(cluster.Status(2).Quorate);
    }

    [Fact]
    public void Auto_tie_breaker_in_an_odd_cluster_without_wait_for_all_is_disabled()
    {
        var cluster = QuorumCluster.Start(Plain with { AutoTieBreaker = AutoTieBreakerMode.Lowest }, 1, 2, 3);
        Assert.Contains("Therefore auto_tie_breaker has been disabled. Please fix your corosync.conf", cluster.DrainLogs(1, QuorumLogLevel.Critical));
        Assert.False(cluster.Status(1).Flags.HasFlag(QuorumFlags.AutoTieBreaker));

        var withWaitForAll = QuorumCluster.Start(Plain with { AutoTieBreaker = AutoTieBreakerMode.Lowest, WaitForAll = true }, 1, 2, 3);
        Assert.True(withWaitForAll.Status(1).Flags.HasFlag(QuorumFlags.AutoTieBreaker));
    }

    [Fact]
    public void Auto_tie_breaker_with_last_man_standing_in_an_odd_cluster_refuses_to_start()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            QuorumCluster.Start(Plain with { AutoTieBreaker = AutoTieBreakerMode.Lowest, LastManStanding = true }, 1, 2, 3));
        Assert.Contains("auto_tie_breaker & last_man_standing not available in odd sized cluster", error.Message);
    }

    [Fact]
    public void Two_node_and_auto_tie_breaker_disable_two_node_but_keep_wait_for_all()
    {
        var cluster = QuorumCluster.Start(Plain with { TwoNode = true, AutoTieBreaker = AutoTieBreakerMode.Lowest }, 1, 2);
        Assert.Contains("two_node has been disabled, please fix your corosync.conf", cluster.DrainLogs(1, QuorumLogLevel.Critical));
        Assert.Equal(QuorumFlags.WaitForAll | QuorumFlags.AutoTieBreaker, cluster.Status(1).Flags);
    }

    [Fact]
    public void An_empty_tie_breaker_list_disables_auto_tie_breaker()
    {
        var cluster = QuorumCluster.Start(Plain with { AutoTieBreaker = AutoTieBreakerMode.List }, 1, 2, 3, 4);
        Assert.Contains(cluster.DrainLogs(1, QuorumLogLevel.Warning), l => l.StartsWith("auto_tie_breaker_nodes is not valid", StringComparison.Ordinal));
        Assert.False(cluster.Status(1).Flags.HasFlag(QuorumFlags.AutoTieBreaker));
    }
}
