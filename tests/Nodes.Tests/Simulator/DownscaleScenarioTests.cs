using Totem.Nodes.Simulator;
using Totem.Protocol.Config;
using static Totem.Nodes.Tests.Simulator.SimulationAssert;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>
/// Issue 19 point 2, the lab's trap on a whole simulated cluster: quorum.expected_votes 5, grown to 7, 2 stop cleanly,
/// then 2 of the 5 crash. With allow_downscale the clean leaves lowered expected votes to 5 and the 3 keep quorum;
/// without it expected votes stay 7 and the 3 are a minority.
/// </summary>
public sealed class DownscaleScenarioTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Seven_nodes_two_leave_cleanly_then_two_crash(bool allowDownscale)
    {
        var sim = new ClusterSimulation(19, new SimulationOptions(7)
        {
            CaptureLogs = true,
            Quorum = QuorumSettings.Default with { ExpectedVotes = 5, AllowDownscale = allowDownscale },
            Fencing = new FencingSettings(FencingMode.None, 10_000),
        });
        sim.StartAll();
        Eventually(sim, () => Ring(sim, 1, 2, 3, 4, 5, 6, 7) && AllQuorate(sim, 1, 2, 3, 4, 5, 6, 7), MembershipWait(sim), "7 nodes in one quorate ring");
        Assert.Equal(7u, sim.Node(N(1)).Board.Status().Quorum.ExpectedVotes);

        sim.Shutdown(N(7));
        Eventually(sim, () => Ring(sim, 1, 2, 3, 4, 5, 6), MembershipWait(sim), "node 7 left cleanly");
        sim.Shutdown(N(6));
        Eventually(sim, () => Ring(sim, 1, 2, 3, 4, 5) && AllQuorate(sim, 1, 2, 3, 4, 5), MembershipWait(sim), "node 6 left cleanly");
        var afterLeaves = sim.Node(N(1)).Board.Status().Quorum;
        Assert.Equal(allowDownscale ? (5u, 3u) : (7u, 4u), (afterLeaves.ExpectedVotes, afterLeaves.Quorum));

        sim.Crash(N(5));
        sim.Crash(N(4));
        Eventually(sim, () => Ring(sim, 1, 2, 3), MembershipWait(sim), "the 3 survivors in one ring");
        sim.RunFor(TimeSpan.FromSeconds(1));

        if (allowDownscale)
        {
            Holds(sim, AllQuorate(sim, 1, 2, 3), "the 3 of 5 keep quorum");
            Assert.Equal(5u, sim.Node(N(2)).Board.Status().Quorum.ExpectedVotes);
            Assert.Contains(sim.Logs, l => l.Node == N(1) &&
                l.Message == "Node 7 is leaving the cluster: expected votes lowered from 7 to 6, quorum 4 (allow_downscale)");
            Assert.Contains(sim.Logs, l => l.Node == N(6) && l.Message == "Leaving the cluster: telling the other nodes (allow_downscale)");
        }
        else
        {
            Holds(sim, NoneQuorate(sim, 1, 2, 3), "the 3 of 7 expected lose quorum");
            Assert.DoesNotContain(sim.Logs, l => l.Message.Contains("is leaving the cluster", StringComparison.Ordinal));
        }
        NoViolations(sim, livenessExpected: true);
    }
}
