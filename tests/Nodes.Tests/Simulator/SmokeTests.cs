using Totem.Nodes.Simulator;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Simulator;

public sealed class SmokeTests
{
    [Fact]
    public void Three_nodes_form_one_ring_and_deliver_in_the_same_order()
    {
        var sim = new ClusterSimulation(1, new SimulationOptions(3) { CaptureLogs = true });
        sim.StartAll();
        Assert.True(sim.RunUntil(sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(30)), string.Join("\n", sim.Logs));
        for (var i = 0; i < 100; i++) sim.Submit(new NodeId((uint)(i % 3 + 1)));
        sim.RunFor(TimeSpan.FromSeconds(5));
        var violations = sim.CheckInvariants(livenessExpected: true);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
        Assert.All(sim.LiveNodes, n => Assert.Equal(100, sim.Node(n).Board.DeliveredCount));
        Assert.Equal(3, sim.QuorateNodes().Count);
    }
}
