using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator;

/// <summary>One crash on an idle ring: when it happened and when the survivors installed the membership without the node.</summary>
public sealed record FailoverSample(int Seed, NodeId Crashed, TimeSpan CrashAt, TimeSpan FirstSurvivor, TimeSpan LastSurvivor);

/// <summary>
/// Timing fidelity: on the simulator with a perfect zero-delay network, an idle ring, one node crashed at a
/// random moment; how long until the survivors' new regular configuration (without it) is delivered.
/// corosync notices the loss when the token-loss timer (effective token) expires, which the last token
/// visit started up to a hold period before the crash, then waits consensus for the silent node's join.
/// </summary>
public static class FailoverTiming
{
    /// <summary>Slack above effective token + consensus for the joins, commit token rotations and recovery.</summary>
    public const uint UpperSlackMs = 200;

    /// <summary>[effective token - hold + consensus, effective token + consensus + 200 ms].</summary>
    public static (TimeSpan Lower, TimeSpan Upper) Bounds(TotemTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        var window = FailoverWindow.FaultToNewMembership(timeouts);
        return (TimeSpan.FromMilliseconds(window.LowMs), TimeSpan.FromMilliseconds((double)window.HighMs + UpperSlackMs));
    }

    /// <summary>Runs one seed: form the ring, let it go idle, crash a random node at a random moment, time the survivors.</summary>
    public static FailoverSample Measure(TotemSettings totem, int nodeCount, int seed)
    {
        ArgumentNullException.ThrowIfNull(totem);
        var sim = new ClusterSimulation(seed, new SimulationOptions(nodeCount) { Totem = totem });
        var timeouts = sim.Options.Timeouts;
        sim.StartAll();
        var limit = TimeSpan.FromMilliseconds(4.0 * (timeouts.Token + timeouts.Consensus)) + TimeSpan.FromSeconds(10);
        if (sim.RunUntilOneRing(limit) is null)
            throw new InvalidOperationException($"seed {seed}: the {nodeCount} nodes did not form one ring within {limit.TotalMilliseconds:F0} ms");

        // Idle for a while (votequorum's node-info exchange ends, the token is held), then a random moment
        // within two effective token periods so the crash falls anywhere in the token's cycle.
        var random = new Random(seed);
        sim.RunFor(TimeSpan.FromSeconds(2) + TimeSpan.FromMilliseconds(random.NextDouble() * 2 * timeouts.Token));
        var crashed = new NodeId((uint)random.Next(1, nodeCount + 1));
        var crashAt = sim.Now;
        sim.Crash(crashed);
        var survivors = sim.LiveNodes.ToList();

        TimeSpan? InstalledWithout(NodeId node) => sim.Configurations
            .Where(c => c.Node == node && c.At >= crashAt && c.Change.Kind == ConfigurationKind.Regular && !c.Change.Members.Contains(crashed))
            .Select(c => (TimeSpan?)c.At).FirstOrDefault();

        if (sim.RunUntilPolled(() => survivors.All(n => InstalledWithout(n) is not null), limit, TimeSpan.FromMilliseconds(50)) is null)
            throw new InvalidOperationException($"seed {seed}: the survivors did not install a membership without node {crashed} within {limit.TotalMilliseconds:F0} ms");
        var times = survivors.Select(n => InstalledWithout(n)!.Value - crashAt).ToList();
        return new FailoverSample(seed, crashed, crashAt, times.Min(), times.Max());
    }
}
