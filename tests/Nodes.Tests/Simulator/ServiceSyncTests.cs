using Serilog.Events;
using Totem.Nodes.Control;
using Totem.Nodes.Simulator;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>
/// The service synchronization in whole simulated clusters: every membership change runs votequorum's sync and
/// its barrier on every member before the application's messages flow, which the checker's "service sync"
/// invariant judges on every delivery while the application keeps submitting through the changes.
/// </summary>
public sealed class ServiceSyncTests
{
    private static ClusterSimulation Started(int seed, int nodes)
    {
        var sim = new ClusterSimulation(seed, new SimulationOptions(nodes) { CaptureLogs = true, CaptureLevel = LogEventLevel.Debug });
        sim.StartAll();
        Assert.True(sim.RunUntil(sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(30)), string.Join("\n", sim.Logs.TakeLast(50)));
        return sim;
    }

    /// <summary>Every live node submits every 7 ms of virtual time until <paramref name="until"/>, through the membership changes.</summary>
    private static void SubmitContinuously(ClusterSimulation sim, TimeSpan until)
    {
        void Tick()
        {
            foreach (var node in sim.LiveNodes.Where(n => !sim.Leaving.Contains(n)).ToList()) sim.Submit(node);
            if (sim.Now < until) sim.Simulation.Schedule(TimeSpan.FromMilliseconds(7), Tick, "submit");
        }
        Tick();
    }

    private static RingId FinalRing(ClusterSimulation sim) => sim.Configurations.Last().Change.RingId;

    [Fact]
    public void A_crash_reforms_the_ring_and_every_survivor_synchronizes_it_before_application_traffic()
    {
        var sim = Started(11, 5);
        SubmitContinuously(sim, sim.Now + TimeSpan.FromSeconds(12));
        sim.RunFor(TimeSpan.FromMilliseconds(300));
        sim.Crash(new NodeId(5));
        Assert.True(sim.RunUntil(sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(15)));
        sim.RunFor(TimeSpan.FromSeconds(5));

        Assert.Equal([], sim.CheckInvariants(livenessExpected: true));
        var ring = FinalRing(sim);
        foreach (var node in sim.LiveNodes)
        {
            var lines = sim.Logs.Where(l => l.Node == node).Select(l => l.Message).ToList();
            var formed = lines.FindLastIndex(l => l.StartsWith($"A new membership ({ring})", StringComparison.Ordinal));
            // One service build and one barrier (votequorum's) from each of the 4 members.
            var counted = lines.FindLastIndex(l => l == $"Synchronized 1 service(s) of ring {ring}: 2 sync messages sent, 8 delivered, 0 earlier round(s) aborted");
            var completed = lines.FindLastIndex(l => l == "Completed service synchronization, ready to provide service.");
            Assert.True(formed >= 0 && counted > formed && completed > counted, $"node {node}:\n" + string.Join("\n", lines.TakeLast(40)));
        }
        Assert.Equal(4, sim.QuorateNodes().Count);
    }

    [Fact]
    public async Task The_membership_event_after_a_crash_names_the_node_that_left()
    {
        // EVS reports the departed in the transitional configuration and the joined in the regular one; the event
        // /v1/events and the observer plane publish must carry both, as corosync's "Members left: 5" line does.
        var sim = Started(11, 5);
        using var stop = new CancellationTokenSource();
        var feed = sim.Node(new NodeId(1)).Board.Subscribe(stop.Token).GetAsyncEnumerator(stop.Token);
        var next = feed.MoveNextAsync(); // the subscription is taken here, before the crash
        sim.Crash(new NodeId(5));
        Assert.True(sim.RunUntil(sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(15)));

        var formed = new List<MembershipFormed>();
        while (await next.AsTask().WaitAsync(TimeSpan.FromSeconds(5)))
        {
            if (feed.Current is MembershipFormed m) formed.Add(m);
            next = feed.MoveNextAsync();
            if (!next.IsCompleted) break;
        }
        var last = Assert.Single(formed);
        Assert.Equal([new NodeId(5)], last.Left);
        Assert.Equal([], last.Joined);
        Assert.Equal([new NodeId(1), new NodeId(2), new NodeId(3), new NodeId(4)], last.Members);
        await stop.CancelAsync();
    }

    [Fact]
    public void Application_messages_submitted_during_the_sync_wait_for_it_and_are_all_delivered()
    {
        var sim = Started(12, 3);
        SubmitContinuously(sim, sim.Now + TimeSpan.FromSeconds(8));
        sim.RunFor(TimeSpan.FromMilliseconds(200));
        sim.Crash(new NodeId(2));
        sim.RunFor(TimeSpan.FromSeconds(1));
        sim.Start(new NodeId(2));
        Assert.True(sim.RunUntil(sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(15)));
        sim.RunFor(TimeSpan.FromSeconds(10));

        var violations = sim.CheckInvariants(livenessExpected: true);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
        Assert.Equal(3, sim.QuorateNodes().Count);
    }
}
