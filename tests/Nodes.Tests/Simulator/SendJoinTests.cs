using Totem.Nodes.Simulator;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>totem.send_join in the simulator: each join waits a draw of the simulation's seeded random, 0 waits nothing.</summary>
public sealed class SendJoinTests
{
    private static (IReadOnlyDictionary<NodeId, TimeSpan> FirstJoin, ClusterSimulation Sim) Boot(int seed, uint sendJoin)
    {
        var sim = new ClusterSimulation(seed, new SimulationOptions(3) { Totem = new TotemSettings { SendJoin = sendJoin } });
        var first = new Dictionary<NodeId, TimeSpan>();
        sim.Network.OnSend = (from, _, datagram) =>
        {
            if (TotemCodec.Decode(datagram).Message is JoinMessage) first.TryAdd(from, sim.Now);
        };
        sim.StartAll();
        Assert.NotNull(sim.RunUntilOneRing(TimeSpan.FromSeconds(30)));
        return (first, sim);
    }

    [Fact]
    public void Each_nodes_first_join_leaves_after_its_own_random_delay_below_send_join()
    {
        var (first, sim) = Boot(7, sendJoin: 100);
        Assert.Equal(3, first.Count);
        Assert.All(first.Values, at => Assert.InRange(at, TimeSpan.Zero, TimeSpan.FromMilliseconds(100)));
        Assert.True(first.Values.Distinct().Count() == 3, string.Join(" ", first.Select(f => $"{f.Key}:{f.Value.TotalMilliseconds}")));
        sim.RunFor(TimeSpan.FromSeconds(1));
        var violations = sim.CheckInvariants(livenessExpected: true);
        Assert.True(violations.Count == 0, string.Join("\n", violations));

        // The delays come from the seed: a replay waits exactly as long, another seed differently.
        Assert.Equal(first, Boot(7, sendJoin: 100).FirstJoin);
        Assert.NotEqual(first, Boot(8, sendJoin: 100).FirstJoin);
    }

    [Fact]
    public void Without_send_join_every_first_join_leaves_at_boot()
    {
        var (first, _) = Boot(7, sendJoin: 0);
        Assert.All(first.Values, at => Assert.Equal(TimeSpan.Zero, at));
    }
}
