using Totem.Nodes.Simulator;
using Totem.Protocol.Pg;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>The node on Akka with the packing layer: bursts packed into frames, messages fragmented across them, a crash mid-message.</summary>
public sealed class PackedTrafficTests
{
    [Fact]
    public void Packed_and_fragmented_messages_reach_every_node_whole_across_a_crash()
    {
        var sim = new ClusterSimulation(3, new SimulationOptions(4));
        sim.StartAll();
        Assert.True(sim.RunUntil(sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(30)));
        var budget = PgLimits.FrameBudget(1500);
        var large = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var node = new NodeId((uint)(i % 4 + 1));
            if (i % 10 == 0) large.Add(sim.Submit(node, 2 * budget + i));
            else sim.Submit(node, i);
        }
        // Node 4 sent part of its messages when it crashes; the others go on with theirs.
        sim.Submit(new NodeId(4), 200_000);
        sim.RunFor(TimeSpan.FromMilliseconds(3));
        sim.Crash(new NodeId(4));
        Assert.True(sim.RunUntil(sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(30)));
        for (var i = 0; i < 10; i++) sim.Submit(new NodeId((uint)(i % 3 + 1)), 3 * budget);
        sim.RunFor(TimeSpan.FromSeconds(5));

        var violations = sim.CheckInvariants(livenessExpected: true);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
        foreach (var id in sim.LiveNodes)
        {
            var delivered = sim.Node(id).GetMessages(0, 1000).Select(m => SimulatedPayload.Name(new ValueList<byte>([(byte)0, .. m.Payload.ToArray()]))).ToList();
            Assert.Superset(large.Where(n => !n.EndsWith("@4", StringComparison.Ordinal)).ToHashSet(), delivered.ToHashSet());
            Assert.DoesNotContain(delivered, n => n.Contains("corrupted", StringComparison.Ordinal));
        }
    }
}
