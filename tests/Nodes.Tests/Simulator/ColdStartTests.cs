using Totem.Nodes.Simulator;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>
/// A cold start of 5 nodes whose processes come up one after the other (default totem settings, virtual time).
/// Every node forms a ring of one at once (its own join is the only one it has seen), and the rings then merge:
/// a newcomer's join sends an operational ring to GATHER, everyone gathers the same sets, the representative's
/// commit token goes round twice and the recovery token installs the ring. That is one membership round of a few
/// dozen one-way delays; it never waits for the token (4950 ms) or consensus (5940 ms) timeout.
/// <para>
/// The exception, as in corosync: a node that starts while another merge is in COMMIT. Its join reaches some members
/// still in GATHER (they add it and go on gathering, so they drop the representative's commit token, whose member
/// set is no longer theirs) and reaches the representative in COMMIT, which ignores it, and ignores the others'
/// joins too because they carry their old ring seq, lower than the commit token's (totemsrp.c,
/// message_handler_memb_join, MEMB_STATE_COMMIT: only members of the new ring with ring_seq >= my_ring_id.seq are
/// heard). The representative stays in COMMIT until its token timeout; the ring then forms in one more round.
/// </para>
/// </summary>
public sealed class ColdStartTests
{
    private const int Nodes = 5;

    [Fact]
    public void Staggered_starts_merge_into_one_ring_within_one_membership_round_of_the_last_start()
    {
        var delay = TimeSpan.FromMilliseconds(1);
        var timeouts = new SimulationOptions(Nodes).Timeouts;
        var bound = OneRound(timeouts, delay);
        Assert.Equal(100, bound.TotalMilliseconds);
        var schedules = new List<(string Name, double[] Starts)>();
        foreach (var stagger in new[] { 1000.0, 1500, 2000, 3000 })
            schedules.Add(($"node k at k x {stagger} ms", Enumerable.Range(0, Nodes).Select(k => k * stagger).ToArray()));
        for (var seed = 1; seed <= 20; seed++)
        {
            var random = new Random(seed);
            var starts = new double[Nodes];
            for (var k = 1; k < Nodes; k++) starts[k] = starts[k - 1] + 1000 + random.NextDouble() * 2000;
            schedules.Add(($"gaps of 1..3 s, seed {seed}", starts));
        }

        var slow = new List<string>();
        foreach (var (name, starts) in schedules)
        {
            var formed = FormationAfterLastStart(starts, delay);
            if (formed is null || formed > bound)
                slow.Add($"{name} (starts {string.Join(", ", starts.Select(s => s.ToString("F0")))} ms): one ring {Describe(formed)} after the last start, bound {bound.TotalMilliseconds:F0} ms");
        }
        Assert.True(slow.Count == 0, string.Join("\n", slow));
    }

    [Fact]
    public void A_node_that_starts_while_another_merge_is_in_commit_costs_the_representative_a_token_timeout_as_in_corosync()
    {
        // Node 4's start merges {1,2,3} and {4}; node 5 starts 16 ms later, when node 1 has just sent the commit
        // token of {1,2,3,4}; node 2 takes it into COMMIT, node 3 has heard node 5 first and drops it.
        var delay = TimeSpan.FromMilliseconds(5);
        var sim = Simulate([0, 1500, 3000, 4500, 4516], delay, traceLogs: true);
        var timeouts = sim.Options.Timeouts;
        var lastStart = TimeSpan.FromMilliseconds(4516);
        var formed = sim.RunUntilOneRing(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1)) - lastStart;

        var lower = TimeSpan.FromMilliseconds(timeouts.Token);
        var upper = lower + OneRound(timeouts, delay);
        Assert.True(formed >= lower && formed <= upper,
            $"one ring {Describe(formed)} after the last start, expected {lower.TotalMilliseconds:F0}..{upper.TotalMilliseconds:F0} ms\n" +
            string.Join("\n", sim.Logs.TakeLast(80)));
        var lost = sim.Logs.Where(l => l.Message.StartsWith("The token was lost in the", StringComparison.Ordinal)).ToList();
        Assert.True(lost.Count > 0 && lost[0].Node == new NodeId(1) && lost.All(l => l.Message.Contains("COMMIT", StringComparison.Ordinal)),
            "expected the representative, node 1, (and whoever else had the commit token) to lose the token in COMMIT:\n" + string.Join("\n", lost));
    }

    /// <summary>
    /// One membership round after the last start: a re-sent join (the join timeout) plus at most ten rotations of N
    /// one-way delays (the joins, two commit-token rotations, the recovery rotations that install the ring).
    /// </summary>
    private static TimeSpan OneRound(TotemTimeouts timeouts, TimeSpan delay) =>
        TimeSpan.FromMilliseconds(timeouts.Join) + 10 * Nodes * delay;

    private static TimeSpan? FormationAfterLastStart(double[] starts, TimeSpan delay)
    {
        var sim = Simulate(starts, delay, traceLogs: false);
        var lastStart = TimeSpan.FromMilliseconds(starts.Max());
        return sim.RunUntilOneRing(TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1)) - lastStart;
    }

    /// <summary>Schedules the starts and runs until just after the last one.</summary>
    private static ClusterSimulation Simulate(double[] startsMs, TimeSpan delay, bool traceLogs)
    {
        var sim = new ClusterSimulation(1, new SimulationOptions(Nodes)
        {
            CaptureLogs = traceLogs,
            CaptureLevel = Serilog.Events.LogEventLevel.Debug,
            TraceMembership = traceLogs,
        });
        sim.Network.SetDefaultConditions(new LinkConditions(0, 0, delay, TimeSpan.Zero));
        for (var k = 0; k < startsMs.Length; k++)
        {
            var id = new NodeId((uint)(k + 1));
            sim.Simulation.Schedule(TimeSpan.FromMilliseconds(startsMs[k]), () => sim.Start(id), $"start node {id}");
        }
        sim.RunFor(TimeSpan.FromMilliseconds(startsMs.Max()) + TimeSpan.FromTicks(1));
        return sim;
    }

    private static string Describe(TimeSpan? formed) => formed is { } f ? $"{f.TotalMilliseconds:F0} ms" : "never (30 s)";
}
