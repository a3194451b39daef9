using Totem.Nodes.Simulator.Whatif;
using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Whatif;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator;

/// <summary>One crash on an idle ring: when it happened and when the survivors installed the membership without the node.</summary>
public sealed record FailoverSample(int Seed, NodeId Crashed, TimeSpan CrashAt, TimeSpan FirstSurvivor, TimeSpan LastSurvivor);

/// <summary>A minority cut off from the rest on an idle ring: when the majority installed the membership without it, and when the last of the minority fenced (null: fencing is off, or it did not within the limit).</summary>
public sealed record FencingSample(int Seed, int Minority, TimeSpan CutAt, TimeSpan MajorityNewMembership, TimeSpan? MinorityFenced);

/// <summary>
/// Timing fidelity: on the simulator with a perfect zero-delay network (or a what-if profile's network), an idle ring, one node crashed at a
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
    public static FailoverSample Measure(TotemSettings totem, int nodeCount, int seed) =>
        Measure(new SimulationOptions(nodeCount) { Totem = totem ?? throw new ArgumentNullException(nameof(totem)) }, seed, profile: null);

    /// <summary>As <see cref="Measure(TotemSettings, int, int)"/>, on <paramref name="profile"/>'s network (its stalls left out) when given.</summary>
    public static FailoverSample Measure(SimulationOptions options, int seed, NetworkProfile? profile)
    {
        var (sim, limit, random) = IdleRing(options, seed, profile);
        var nodeCount = options.NodeCount;
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

    /// <summary>
    /// Cuts the lowest (N - 1) / 2 nodes off from the rest at a random moment of an idle ring: the time until the
    /// majority's membership without them, and until the last of them fenced (corosync's watchdog case).
    /// </summary>
    public static FencingSample MeasureMinorityFencing(SimulationOptions options, int seed, NetworkProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NodeCount < 3) throw new ArgumentException("a minority needs a ring of 3 nodes or more", nameof(options));
        var (sim, limit, _) = IdleRing(options, seed, profile);
        var minority = options.NodeIds.OrderBy(n => n).Take((options.NodeCount - 1) / 2).ToList();
        var majority = options.NodeIds.Except(minority).ToList();
        var cutAt = sim.Now;
        var fencesBefore = sim.Fences.Count;
        sim.Network.Partition(minority, majority);

        TimeSpan? FirstWithout(NodeId node) => sim.Configurations
            .Where(c => c.Node == node && c.At >= cutAt && c.Change.Kind == ConfigurationKind.Regular && !c.Change.Members.Any(minority.Contains))
            .Select(c => (TimeSpan?)c.At).FirstOrDefault();
        TimeSpan? MajorityMoved() => majority.Select(FirstWithout).ToList() is var times && times.All(t => t is not null) ? times.Max() : null;
        bool MinorityFenced() => minority.All(n => sim.Fences.Skip(fencesBefore).Any(f => f.Node == n));

        if (sim.RunUntilPolled(() => MajorityMoved() is not null, limit, TimeSpan.FromMilliseconds(50)) is null)
            throw new InvalidOperationException($"seed {seed}: the majority did not install a membership without the minority within {limit.TotalMilliseconds:F0} ms");
        var majorityAt = MajorityMoved()!.Value - cutAt;
        TimeSpan? fencedAt = null;
        if (options.Fencing.Mode != FencingMode.None
            && sim.RunUntilPolled(MinorityFenced, limit + TimeSpan.FromMilliseconds(options.Fencing.TimeoutMs), TimeSpan.FromMilliseconds(50)) is not null)
            fencedAt = sim.Fences.Skip(fencesBefore).Where(f => minority.Contains(f.Node)).Max(f => f.At) - cutAt;
        return new FencingSample(seed, minority.Count, cutAt, majorityAt, fencedAt);
    }

    /// <summary>
    /// A formed ring, idle for a while (votequorum's node-info exchange ends, the token is held), then run on to a
    /// random moment within two effective token periods so the fault falls anywhere in the token's cycle.
    /// </summary>
    private static (ClusterSimulation Sim, TimeSpan Limit, Random Random) IdleRing(SimulationOptions options, int seed, NetworkProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sim = new ClusterSimulation(seed, options);
        var timeouts = sim.Options.Timeouts;
        var bursts = profile is null ? null : ProfileNetwork.Apply(sim, profile);
        sim.StartAll();
        var limit = TimeSpan.FromMilliseconds(4.0 * (timeouts.Token + timeouts.Consensus)) + TimeSpan.FromSeconds(10);
        if (sim.RunUntilOneRing(limit) is null)
            throw new InvalidOperationException($"seed {seed}: the {options.NodeCount} nodes did not form one ring within {limit.TotalMilliseconds:F0} ms");
        bursts?.Start(2 * limit, seed);
        var random = new Random(seed);
        sim.RunFor(TimeSpan.FromSeconds(2) + TimeSpan.FromMilliseconds(random.NextDouble() * 2 * timeouts.Token));
        return (sim, limit, random);
    }
}
