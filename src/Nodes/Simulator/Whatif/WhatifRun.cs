using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Whatif;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator.Whatif;

/// <summary>
/// Runs a healthy ring on a <see cref="NetworkProfile"/> in the simulator and counts the spurious membership changes
/// and fencings it causes: loss and the one-way delay (latency + jitter) on every link, and each stall event as node
/// pauses with Poisson arrivals at its rate. The stall schedule comes from its own random stream (seeded from the
/// seed), so the simulation's own draws are those of any run with the same network.
/// </summary>
public static class WhatifRun
{
    public static WhatifOutcome Run(SimulationOptions options, NetworkProfile profile, TimeSpan duration, int seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(profile);
        foreach (var s in profile.Stalls)
            if (s.Scope == StallScope.GivenNode && s.Node > options.NodeCount)
                throw new ArgumentException($"profile line {s.Line}: stall on node {s.Node}, but the ring has {options.NodeCount} nodes", nameof(profile));

        var sim = new ClusterSimulation(seed, options);
        sim.Network.SetDefaultConditions(new LinkConditions(profile.LossProbability, 0, profile.Latency, TimeSpan.Zero));
        sim.Network.JitterModel = r => TimeSpan.FromMilliseconds(profile.Jitter.DrawMs(r));
        sim.StartAll();
        var t = options.Timeouts;
        var formLimit = TimeSpan.FromMilliseconds(4.0 * (t.Token + t.Consensus)) + TimeSpan.FromSeconds(10);
        if (sim.RunUntilOneRing(formLimit) is null)
            throw new InvalidOperationException($"seed {seed}: the {options.NodeCount} nodes did not form one ring within {formLimit.TotalSeconds:0} s on this profile");
        var start = sim.Now;
        var configurationsBefore = sim.Configurations.Count;
        var fencesBefore = sim.Fences.Count;
        var pausesBefore = sim.PausesDetected;

        var stalls = Schedule(profile.Stalls, duration, options.NodeCount, new Random(unchecked(seed * 31 + 0x57a11)));
        var injected = 0;
        foreach (var (at, nodes, length) in stalls)
        {
            sim.RunFor(start + at - sim.Now);
            foreach (var node in nodes.Where(n => sim.IsUp(n) && !sim.IsPaused(n)))
            {
                sim.Pause(node, length);
                injected++;
            }
        }
        sim.RunFor(start + duration - sim.Now);

        var changes = sim.Configurations.Skip(configurationsBefore)
            .Where(c => c.Change.Kind == ConfigurationKind.Regular)
            .Select(c => c.Change.RingId)
            .Distinct()
            .Count();
        return new WhatifOutcome(seed, duration, injected, changes, sim.Fences.Count - fencesBefore, sim.PausesDetected - pausesBefore);
    }

    /// <summary>Every stall's arrivals (exponential gaps with the event's period as mean) within the run, in time order.</summary>
    private static List<(TimeSpan At, NodeId[] Nodes, TimeSpan Length)> Schedule(IReadOnlyList<StallEvent> events, TimeSpan duration, int nodeCount, Random random)
    {
        var all = new List<(TimeSpan, NodeId[], TimeSpan)>();
        foreach (var e in events)
        {
            var at = TimeSpan.Zero;
            while (true)
            {
                at += TimeSpan.FromTicks((long)(-Math.Log(1.0 - random.NextDouble()) * e.Period.Ticks));
                if (at >= duration) break;
                NodeId[] nodes = e.Scope switch
                {
                    StallScope.AllNodes => Enumerable.Range(1, nodeCount).Select(n => new NodeId((uint)n)).ToArray(),
                    StallScope.GivenNode => [new NodeId(e.Node!.Value)],
                    _ => [new NodeId((uint)random.Next(1, nodeCount + 1))],
                };
                all.Add((at, nodes, e.Duration));
            }
        }
        all.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return all;
    }
}
