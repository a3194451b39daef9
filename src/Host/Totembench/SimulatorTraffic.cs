using Totem.Nodes.Simulator;
using Totem.Protocol.Wire;

namespace Totem.Host.Totembench;

/// <summary>
/// Real traffic for the fuzzer: every distinct datagram the nodes of a seeded simulation put on the wire
/// while a ring forms, carries messages, loses a node to a crash, takes it back, loses one to a clean
/// leave, splits and merges, so every message type is there as the engine actually writes it.
/// </summary>
internal static class SimulatorTraffic
{
    public static IReadOnlyList<byte[]> Capture(int seed)
    {
        var sim = new ClusterSimulation(seed, new SimulationOptions(4));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var captured = new List<byte[]>();
        sim.Network.OnSend = (_, _, datagram) =>
        {
            // "Multicast" is one send per peer: the same bytes several times.
            if (seen.Add(Convert.ToBase64String(datagram))) captured.Add(datagram);
        };
        var form = TimeSpan.FromSeconds(60);
        var ids = sim.Options.NodeIds;

        sim.StartAll();
        Require(sim.RunUntilOneRing(form), "the ring did not form");
        for (var i = 0; i < 200; i++)
        {
            sim.Submit(ids[i % ids.Count]);
            sim.RunFor(TimeSpan.FromMilliseconds(5));
        }
        sim.Crash(ids[2]);
        Require(sim.RunUntilOneRing(form), "the survivors of a crash did not form a ring");
        sim.Start(ids[2]);
        Require(sim.RunUntilOneRing(form), "the restarted node did not rejoin");
        sim.Network.Partition([ids[0], ids[1]], [ids[2], ids[3]]);
        sim.RunFor(TimeSpan.FromSeconds(10));
        sim.Network.Heal();
        Require(sim.RunUntilOneRing(form), "the halves of a partition did not merge");
        for (var i = 0; i < 50; i++) sim.Submit(ids[i % ids.Count]);
        sim.RunFor(TimeSpan.FromSeconds(2));
        sim.Shutdown(ids[3]);
        sim.RunFor(TimeSpan.FromSeconds(10));
        return Balanced(captured);
    }

    /// <summary>
    /// An idle ring sends mostly tokens (each one distinct by its token seq); thinned evenly to at most
    /// <see cref="PerType"/> a type, so the mutations fall on joins, commit tokens and leaves too.
    /// </summary>
    private static List<byte[]> Balanced(List<byte[]> captured) =>
        captured.GroupBy(d => d.Length > 3 ? d[3] : -1).SelectMany(g =>
        {
            var all = g.ToList();
            var step = Math.Max(1, (all.Count + PerType - 1) / PerType);
            return all.Where((_, i) => i % step == 0);
        }).ToList();

    private const int PerType = 1000;

    private static void Require(TimeSpan? formed, string what)
    {
        if (formed is null) throw new InvalidOperationException($"capturing simulator traffic: {what}");
    }
}
