using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Whatif;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator.Whatif;

/// <summary>
/// Runs a healthy ring on a <see cref="NetworkProfile"/> in the simulator and counts the spurious token losses,
/// membership changes, quorum losses and fencings it causes, and the token rotations it sees: the profile's network
/// (<see cref="ProfileNetwork"/>), and each stall event as node pauses with Poisson arrivals at its rate. The stall
/// schedule comes from its own random stream (seeded from the seed), so the simulation's own draws are those of any
/// run with the same network.
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
        var watch = new RingWatch(sim);
        var bursts = ProfileNetwork.Apply(sim, profile);
        sim.StartAll();
        var t = options.Timeouts;
        var formLimit = TimeSpan.FromMilliseconds(4.0 * (t.Token + t.Consensus)) + TimeSpan.FromSeconds(10);
        if (sim.RunUntilOneRing(formLimit) is null)
            throw new InvalidOperationException($"seed {seed}: the {options.NodeCount} nodes did not form one ring within {formLimit.TotalSeconds:0} s on this profile");
        var start = sim.Now;
        bursts.Start(duration, seed);
        watch.Start();
        var configurationsBefore = sim.Configurations.Count;
        var fencesBefore = sim.Fences.Count;
        var pausesBefore = sim.PausesDetected;

        var stalls = StallSchedule(profile.Stalls, duration, options.NodeCount, seed);
        var injected = 0;
        foreach (var (at, nodes, length) in stalls)
        {
            sim.RunFor(start + at - sim.Now);
            watch.Stalled(length);
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
        return new WhatifOutcome(seed, duration, injected, bursts.Scheduled, watch.TokenLosses, changes, watch.QuorumLosses, sim.Fences.Count - fencesBefore,
            sim.PausesDetected - pausesBefore, watch.Gaps, watch.QuietGaps);
    }

    /// <summary>
    /// Every stall's arrivals (exponential gaps with the event's period as mean) within the run, in time order, from the
    /// seed's own stream: the simulated run and a real ring replaying the profile (ringbench whatif-validate) draw the same.
    /// </summary>
    public static IReadOnlyList<(TimeSpan At, NodeId[] Nodes, TimeSpan Length)> StallSchedule(IReadOnlyList<StallEvent> events, TimeSpan duration, int nodeCount, int seed)
    {
        ArgumentNullException.ThrowIfNull(events);
        var random = new Random(unchecked(seed * 31 + 0x57a11));
        var all = new List<(TimeSpan, NodeId[], TimeSpan)>();
        foreach (var e in events)
        {
            foreach (var at in ProfileNetwork.Arrivals(e.Period, duration, random))
            {
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
