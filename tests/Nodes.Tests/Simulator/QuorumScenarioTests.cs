using Totem.Nodes.Simulator;
using Totem.Protocol.Config;
using static Totem.Nodes.Tests.Simulator.SimulationAssert;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>votequorum and fencing on whole simulated clusters (issue 5 point 3), each outcome asserted in virtual time.</summary>
public sealed class QuorumScenarioTests
{
    private static ClusterSimulation Cluster(int nodes, int seed, QuorumSettings? quorum = null, FencingSettings? fencing = null,
        IReadOnlyDictionary<Totem.Protocol.Wire.NodeId, uint>? votes = null) =>
        new(seed, new SimulationOptions(nodes)
        {
            CaptureLogs = true,
            Quorum = quorum ?? QuorumSettings.Default,
            Fencing = fencing ?? new FencingSettings(FencingMode.None, 10_000),
            Votes = votes ?? new Dictionary<Totem.Protocol.Wire.NodeId, uint>(),
        });

    private static void StartQuorate(ClusterSimulation sim)
    {
        sim.StartAll();
        var all = sim.NodeIds.Select(n => n.Value).ToArray();
        Eventually(sim, () => Ring(sim, all) && AllQuorate(sim, all), MembershipWait(sim), $"all {all.Length} nodes in one quorate ring");
    }

    [Fact]
    public void Five_nodes_lose_quorum_fence_reboot_and_regain_quorum_when_enough_return()
    {
        var sim = Cluster(5, 11, fencing: new FencingSettings(FencingMode.Exit, 10_000));
        StartQuorate(sim);

        sim.Crash(N(5));
        Eventually(sim, () => Ring(sim, 1, 2, 3, 4) && AllQuorate(sim, 1, 2, 3, 4), MembershipWait(sim), "4 survivors quorate");

        sim.Crash(N(4));
        sim.Crash(N(3));
        Eventually(sim, () => Ring(sim, 1, 2) && NoneQuorate(sim, 1, 2), MembershipWait(sim), "2 survivors in one ring, not quorate");
        var lostAt = sim.Now;
        Holds(sim, sim.Fences.Count == 0, "no fencing before the timeout");

        Eventually(sim, () => sim.Fences.Count == 2, TimeSpan.FromSeconds(15), "both survivors fenced");
        Assert.All(sim.Fences, f => Assert.True(f.At - lostAt >= TimeSpan.FromMilliseconds(10_000) - TimeSpan.FromMilliseconds(100),
            $"node {f.Node} fenced {(f.At - lostAt).TotalMilliseconds:F0} ms after quorum loss, before the 10000 ms timeout"));
        Assert.Equal([1u, 2u], sim.Fences.Select(f => f.Node.Value).Order());

        // They reboot after the boot delay and form a ring again, still without quorum, and are not fenced again
        // (a node that never reached quorum since its start is not fenced: no boot loops).
        Eventually(sim, () => Ring(sim, 1, 2), sim.Options.BootDelay + MembershipWait(sim), "the rebooted pair in one ring");
        sim.RunFor(TimeSpan.FromSeconds(15));
        Holds(sim, Ring(sim, 1, 2) && NoneQuorate(sim, 1, 2) && sim.Fences.Count == 2, "the rebooted pair stays up, not quorate, not fenced again");

        sim.Start(N(3));
        Eventually(sim, () => Ring(sim, 1, 2, 3) && AllQuorate(sim, 1, 2, 3), MembershipWait(sim), "3 of 5 back: quorate");

        sim.Start(N(4));
        sim.Start(N(5));
        Eventually(sim, () => Ring(sim, 1, 2, 3, 4, 5) && AllQuorate(sim, 1, 2, 3, 4, 5), MembershipWait(sim), "all 5 back: quorate");
        NoViolations(sim, livenessExpected: true);
    }

    [Fact]
    public void A_2_3_partition_leaves_only_the_3_side_quorate_and_heals_into_one_quorate_ring()
    {
        var sim = Cluster(5, 12);
        StartQuorate(sim);

        sim.Network.Partition([N(1), N(2)], [N(3), N(4), N(5)]);
        Eventually(sim, () => Ring(sim, 3, 4, 5) && AllQuorate(sim, 3, 4, 5) && Ring(sim, 1, 2) && NoneQuorate(sim, 1, 2),
            MembershipWait(sim), "3-side quorate, 2-side not");

        sim.Network.Heal();
        Eventually(sim, () => Ring(sim, 1, 2, 3, 4, 5) && AllQuorate(sim, 1, 2, 3, 4, 5), MembershipWait(sim), "one quorate ring of 5 after the heal");
        NoViolations(sim, livenessExpected: true);
    }

    [Fact]
    public void Two_node_cold_start_waits_for_both_and_then_survives_the_loss_of_one()
    {
        var sim = Cluster(2, 13, quorum: QuorumSettings.Default with { TwoNode = true });
        sim.Start(N(1));
        Eventually(sim, () => Ring(sim, 1), MembershipWait(sim), "node 1 alone in its ring");
        sim.RunFor(TimeSpan.FromSeconds(20));
        Holds(sim, NoneQuorate(sim, 1), "two_node implies wait_for_all: a cold-started node alone is not quorate");
        Assert.Contains("WaitForAll", sim.Node(N(1)).Board.Status().Quorum.Flags);

        sim.Start(N(2));
        Eventually(sim, () => Ring(sim, 1, 2) && AllQuorate(sim, 1, 2), MembershipWait(sim), "both nodes quorate");

        sim.Crash(N(2));
        Eventually(sim, () => Ring(sim, 1), MembershipWait(sim), "node 1 alone after node 2's loss");
        sim.RunFor(TimeSpan.FromSeconds(2));
        Holds(sim, AllQuorate(sim, 1), "two_node: the survivor stays quorate");
        NoViolations(sim, livenessExpected: true);
    }

    [Fact]
    public void Wait_for_all_keeps_a_cold_started_majority_waiting_until_every_node_was_seen()
    {
        var sim = Cluster(3, 14, quorum: QuorumSettings.Default with { WaitForAll = true });
        sim.Start(N(1));
        sim.Start(N(2));
        Eventually(sim, () => Ring(sim, 1, 2), MembershipWait(sim), "nodes 1 and 2 in one ring");
        sim.RunFor(TimeSpan.FromSeconds(10));
        Holds(sim, NoneQuorate(sim, 1, 2), "wait_for_all: 2 of 3 at cold start are not quorate");

        sim.Start(N(3));
        Eventually(sim, () => Ring(sim, 1, 2, 3) && AllQuorate(sim, 1, 2, 3), MembershipWait(sim), "all 3 seen: quorate");

        sim.Crash(N(3));
        Eventually(sim, () => Ring(sim, 1, 2), MembershipWait(sim), "nodes 1 and 2 after node 3's loss");
        sim.RunFor(TimeSpan.FromSeconds(2));
        Holds(sim, AllQuorate(sim, 1, 2), "after all were seen once, 2 of 3 stay quorate");
        NoViolations(sim, livenessExpected: true);
    }

    [Fact]
    public void Last_man_standing_goes_from_5_down_to_2_quorate()
    {
        var sim = Cluster(5, 15, quorum: QuorumSettings.Default with { LastManStanding = true, LastManStandingWindowMs = 10_000 });
        StartQuorate(sim);
        var survivors = new List<uint> { 1, 2, 3, 4, 5 };
        foreach (var victim in new uint[] { 5, 4, 3 })
        {
            sim.Crash(N(victim));
            survivors.Remove(victim);
            var alive = survivors.ToArray();
            Eventually(sim, () => Ring(sim, alive) && AllQuorate(sim, alive), MembershipWait(sim), $"{alive.Length} survivors quorate");
            Eventually(sim, () => alive.All(n => sim.Node(N(n)).Board.Status().Quorum.ExpectedVotes == (uint)alive.Length),
                TimeSpan.FromSeconds(15), $"last_man_standing lowers expected votes to {alive.Length} after the window");
        }
        Holds(sim, AllQuorate(sim, 1, 2), "the last 2 of 5 are quorate");
        NoViolations(sim, livenessExpected: true);
    }

    [Fact]
    public void Auto_tie_breaker_gives_a_2_2_split_of_4_to_the_side_with_the_lowest_node()
    {
        var sim = Cluster(4, 16, quorum: QuorumSettings.Default with { AutoTieBreaker = AutoTieBreakerMode.Lowest });
        StartQuorate(sim);

        sim.Network.Partition([N(1), N(2)], [N(3), N(4)]);
        Eventually(sim, () => Ring(sim, 1, 2) && Ring(sim, 3, 4) && AllQuorate(sim, 1, 2) && NoneQuorate(sim, 3, 4),
            MembershipWait(sim), "the side with node 1 quorate, the other not");
        NoViolations(sim, livenessExpected: false);
    }

    [Fact]
    public async Task Setting_expected_votes_to_1_makes_an_isolated_survivor_quorate()
    {
        var sim = Cluster(3, 17);
        StartQuorate(sim);

        sim.Network.Partition([N(1)], [N(2), N(3)]);
        Eventually(sim, () => Ring(sim, 1) && NoneQuorate(sim, 1) && Ring(sim, 2, 3) && AllQuorate(sim, 2, 3), MembershipWait(sim), "node 1 isolated and not quorate");

        // What `pvecm expected 1` does; the Ask completes as the simulation runs.
        var answer = sim.Node(N(1)).SetExpectedVotesAsync(1, CancellationToken.None);
        Eventually(sim, () => answer.IsCompleted, TimeSpan.FromSeconds(1), "the expected-votes command answered");
        var result = await answer;
        Assert.True(result.Ok, result.Reason);
        Eventually(sim, () => AllQuorate(sim, 1), TimeSpan.FromSeconds(1), "node 1 quorate with expected votes 1");
        Assert.Equal(1u, sim.Node(N(1)).Board.Status().Quorum.ExpectedVotes);
    }

    [Fact]
    public void A_node_with_two_votes_decides_a_2_2_split_of_4()
    {
        var sim = Cluster(4, 18, votes: new Dictionary<Totem.Protocol.Wire.NodeId, uint> { [N(1)] = 2 });
        StartQuorate(sim);
        var quorum = sim.Node(N(3)).Board.Status().Quorum;
        Assert.Equal((5u, 5u, 3u), (quorum.TotalVotes, quorum.ExpectedVotes, quorum.Quorum));

        sim.Network.Partition([N(1), N(2)], [N(3), N(4)]);
        Eventually(sim, () => Ring(sim, 1, 2) && Ring(sim, 3, 4) && AllQuorate(sim, 1, 2) && NoneQuorate(sim, 3, 4),
            MembershipWait(sim), "3 votes of 5 (node 1 has 2) quorate, 2 votes not");
        NoViolations(sim, livenessExpected: false);
    }
}
