using Totem.Protocol.Whatif;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator.Whatif;

/// <summary>
/// Puts a simulation's links on a <see cref="NetworkProfile"/>: its loss and latency on every link, its jitter drawn per
/// datagram, and its jitter bursts (Poisson arrivals from their own random stream, so the simulation's own draws stay
/// those of a run without bursts until the first one starts) adding their extra delay to the links of the nodes they hit.
/// Stalls are the run's business (<see cref="WhatifRun"/>): a crash measurement wants the network without them.
/// </summary>
public static class ProfileNetwork
{
    /// <summary>
    /// Sets the links (before the nodes start, so the ring forms on this network) and returns the handle that starts
    /// the bursts once the run proper begins.
    /// </summary>
    public static ProfileNetwork.Bursts Apply(ClusterSimulation sim, NetworkProfile profile)
    {
        ArgumentNullException.ThrowIfNull(sim);
        ArgumentNullException.ThrowIfNull(profile);
        var nodeCount = sim.Options.NodeCount;
        foreach (var b in profile.Bursts)
            if (b.Scope == StallScope.GivenNode && b.Node > nodeCount)
                throw new ArgumentException($"profile line {b.Line}: jitter burst on node {b.Node}, but the ring has {nodeCount} nodes", nameof(profile));

        sim.Network.SetDefaultConditions(new LinkConditions(profile.LossProbability, 0, profile.Latency, TimeSpan.Zero));
        var bursts = new Bursts(sim, profile);
        sim.Network.JitterModel = (from, to, r) =>
        {
            var ms = profile.Jitter.DrawMs(r);
            foreach (var (burst, nodes) in bursts.Active)
                if (nodes.Length == 0 || nodes.Contains(from) || nodes.Contains(to)) ms += burst.DrawMs(r);
            return TimeSpan.FromMilliseconds(ms);
        };
        return bursts;
    }

    /// <summary>The profile's jitter bursts on one simulation: which are on now, and their schedule.</summary>
    public sealed class Bursts(ClusterSimulation sim, NetworkProfile profile)
    {
        internal List<(JitterBurst Burst, NodeId[] Nodes)> Active { get; } = new();

        /// <summary>How many bursts were scheduled.</summary>
        public int Scheduled { get; private set; }

        /// <summary>Schedules every burst within [now, now + horizon).</summary>
        public void Start(TimeSpan horizon, int seed)
        {
            var nodeCount = sim.Options.NodeCount;
            var random = new Random(unchecked(seed * 31 + 0xb0257));
            foreach (var b in profile.Bursts)
            {
                foreach (var at in Arrivals(b.Period, horizon, random))
                {
                    NodeId[] nodes = b.Scope switch
                    {
                        StallScope.AllNodes => [],
                        StallScope.GivenNode => [new NodeId(b.Node!.Value)],
                        _ => [new NodeId((uint)random.Next(1, nodeCount + 1))],
                    };
                    var entry = (b, nodes);
                    Scheduled++;
                    sim.Simulation.Schedule(at, () =>
                    {
                        Active.Add(entry);
                        sim.Simulation.Schedule(b.Length, () => Active.Remove(entry), "jitter burst ends");
                    }, "jitter burst starts");
                }
            }
        }
    }

    /// <summary>Poisson arrivals within [0, horizon): exponential gaps with <paramref name="period"/> as their mean.</summary>
    public static IEnumerable<TimeSpan> Arrivals(TimeSpan period, TimeSpan horizon, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var at = TimeSpan.Zero;
        while (true)
        {
            at += TimeSpan.FromTicks((long)(-Math.Log(1.0 - random.NextDouble()) * period.Ticks));
            if (at >= horizon) yield break;
            yield return at;
        }
    }
}
