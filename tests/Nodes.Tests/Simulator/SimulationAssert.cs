using Totem.Nodes.Simulator;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>Waiting on a simulated cluster in virtual time, failing with the seed, the nodes' state and the last log lines.</summary>
internal static class SimulationAssert
{
    public static NodeId N(uint id) => new(id);

    /// <summary>A generous wait for one membership change: three times effective token + consensus.</summary>
    public static TimeSpan MembershipWait(ClusterSimulation sim) =>
        TimeSpan.FromMilliseconds(3.0 * (sim.Options.Timeouts.Token + sim.Options.Timeouts.Consensus));

    public static void Eventually(ClusterSimulation sim, Func<bool> condition, TimeSpan within, string what)
    {
        if (sim.RunUntilPolled(condition, within, TimeSpan.FromMilliseconds(50)) is not null) return;
        Assert.Fail($"{what}: not within {within.TotalMilliseconds:F0} ms (at {sim.Now.TotalMilliseconds:F0} ms of seed {sim.Seed})\n{Describe(sim)}");
    }

    public static void Holds(ClusterSimulation sim, bool condition, string what)
    {
        if (!condition) Assert.Fail($"{what} (at {sim.Now.TotalMilliseconds:F0} ms of seed {sim.Seed})\n{Describe(sim)}");
    }

    /// <summary>The given nodes are up, operational in one ring of exactly them.</summary>
    public static bool Ring(ClusterSimulation sim, params uint[] members)
    {
        var ids = members.Select(N).OrderBy(n => n).ToList();
        RingId? ring = null;
        foreach (var id in ids)
        {
            if (!sim.IsUp(id)) return false;
            var status = sim.Node(id).Board.Status();
            if (status.State != SrpState.Operational || !status.Members.SequenceEqual(ids)) return false;
            if (ring is null) ring = status.RingId;
            else if (ring != status.RingId) return false;
        }
        return true;
    }

    public static bool Quorate(ClusterSimulation sim, uint id) => sim.IsUp(N(id)) && sim.Node(N(id)).Board.Status().Quorum.Quorate;

    public static bool AllQuorate(ClusterSimulation sim, params uint[] ids) => ids.All(id => Quorate(sim, id));

    public static bool NoneQuorate(ClusterSimulation sim, params uint[] ids) => ids.All(id => sim.IsUp(N(id)) && !Quorate(sim, id));

    public static void NoViolations(ClusterSimulation sim, bool livenessExpected)
    {
        var violations = sim.CheckInvariants(livenessExpected);
        if (violations.Count > 0) Assert.Fail($"seed {sim.Seed}:\n{string.Join("\n", violations)}\n{Describe(sim)}");
    }

    public static string Describe(ClusterSimulation sim)
    {
        var lines = sim.NodeIds.OrderBy(n => n).Select(id =>
        {
            if (!sim.IsUp(id)) return $"  node {id}: down";
            var s = sim.Node(id).Board.Status();
            var q = s.Quorum;
            return $"  node {id}: {s.State} ring {s.RingId} [{string.Join(" ", s.Members)}], quorate {q.Quorate}, votes {q.TotalVotes}/{q.ExpectedVotes} quorum {q.Quorum} flags [{string.Join(" ", q.Flags)}]";
        });
        var logs = sim.Logs.Skip(Math.Max(0, sim.Logs.Count - 50)).Select(l => $"    {l}");
        return string.Join("\n", lines) + (sim.Logs.Count > 0 ? "\n  last log lines:\n" + string.Join("\n", logs) : "");
    }
}
