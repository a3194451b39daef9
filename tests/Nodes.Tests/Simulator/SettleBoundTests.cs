using Totem.Nodes.Simulator;
using Totem.Nodes.Simulator.Scenarios;
using Totem.Protocol.Config;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>
/// The liveness bound of the random scenarios (<see cref="RandomScenarios.SettleBound"/>): which chain of corosync's
/// rules each state at the last change allows. The seeds that needed the longer chain are pinned in
/// RandomScenarioTests.Membership_converges_within_the_bound_on_the_seeds_of_issue_10.
/// </summary>
public sealed class SettleBoundTests
{
    // The membership scenarios' settings (token 1000, coefficient 200): effective token 1200/1400/1600 ms and
    // consensus 1440/1680/1920 ms for 3/4/5 nodes.
    private static TotemTimeouts Scenario(int nodes) => TotemTimeouts.Derive(new TotemSettings { Token = 1000, TokenCoefficient = 200 }, nodes);

    private static double Ms(TimeSpan t) => t.TotalMilliseconds;

    [Theory]
    [InlineData(3, 1200 + 1440 + 500)]
    [InlineData(4, 1400 + 1680 + 500)]
    [InlineData(5, 1600 + 1920 + 500)]
    public void A_change_to_one_settled_ring_is_corosyncs_failover_effective_token_plus_consensus(int nodes, double expected) =>
        Assert.Equal(expected, Ms(RandomScenarios.SettleBound(Scenario(nodes), oneRingAtLastChange: true, commitUnderWay: false)));

    [Theory]
    [InlineData(3, 3 * 1440 + 500)]
    [InlineData(4, 3 * 1680 + 500)]
    [InlineData(5, 3 * 1920 + 500)]
    public void A_change_that_lands_in_another_allows_the_three_consensus_timeouts_of_the_verdict_chain(int nodes, double expected) =>
        Assert.Equal(expected, Ms(RandomScenarios.SettleBound(Scenario(nodes), oneRingAtLastChange: false, commitUnderWay: false)));

    [Fact]
    public void A_commit_under_way_adds_the_token_timeout_it_may_be_lost_in_to_either_chain()
    {
        var timeouts = Scenario(5);
        Assert.Equal(1600 + 1920 + 1600 + 500, Ms(RandomScenarios.SettleBound(timeouts, oneRingAtLastChange: true, commitUnderWay: true)));
        Assert.Equal(3 * 1920 + 1600 + 500, Ms(RandomScenarios.SettleBound(timeouts, oneRingAtLastChange: false, commitUnderWay: true)));
    }

    [Fact]
    public void With_a_consensus_below_the_token_the_lost_commit_token_chain_is_the_longer_one()
    {
        // corosync accepts any consensus above its minimum (totemconfig.c); 1.2 x token is only the default. Then a
        // commit token sent to a processor that crashed after agreeing (token) and the consensus timeouts around it
        // outlast three consensus timeouts.
        var timeouts = TotemTimeouts.Derive(new TotemSettings { Token = 3000, Consensus = 1000 }, 3);
        Assert.Equal(3650 + 2 * 1000 + 500, Ms(RandomScenarios.SettleBound(timeouts, oneRingAtLastChange: false, commitUnderWay: false)));
    }

    [Theory]
    [InlineData(3, 15 + 14 * 3)]
    [InlineData(5, 15 + 14 * 5)]
    public void Busy_nodes_add_the_longest_wait_for_every_mailbox_run_on_the_changes_critical_path(int nodes, int runs)
    {
        // 9 runs of three verdicts, 6 of the merge and join period, 8 per node of two commit token rotations, 6 per node of RECOVERY.
        Assert.Equal(runs * 50.0, Ms(BusyNodeDelay.SettleAllowance(nodes)));
        var timeouts = Scenario(nodes);
        Assert.Equal(Ms(RandomScenarios.SettleBound(timeouts, oneRingAtLastChange: false, commitUnderWay: true)) + runs * 50.0,
            Ms(RandomScenarios.SettleBound(timeouts, oneRingAtLastChange: false, commitUnderWay: true, BusyNodeDelay.SettleAllowance(nodes))));
    }
}
