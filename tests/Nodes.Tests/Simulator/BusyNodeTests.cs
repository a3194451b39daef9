using Akka.Actor;
using Totem.Nodes.Simulator;
using Totem.Nodes.Simulator.Scenarios;
using Totem.Protocol.Wire;
using Xunit.Abstractions;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>
/// The busy-node mode (<see cref="Simulation.BusyNodes"/>): a node's mailbox runs wait seeded virtual time, as on a
/// loaded machine, without breaking Akka's guarantees; and a fixed set of seeds of every soaked class with it.
/// </summary>
public sealed class BusyNodeTests(ITestOutputHelper output)
{
    private sealed class Recorder : ReceiveActor
    {
        public Recorder(List<(string Name, int Number, TimeSpan At)> log, Simulation simulation, string name) =>
            Receive<int>(n => log.Add((name, n, simulation.Elapsed)));
    }

    /// <summary>Message n told to b then a at n x <paramref name="gap"/>; returns (recipient, n, how late it was handled) in the order handled.</summary>
    private static List<(string Name, int Number, TimeSpan At)> TellTwoActors(int seed, bool busy, TimeSpan gap)
    {
        var simulation = new Simulation(seed) { BusyNodes = busy };
        var system = simulation.CreateSystem("node1-1");
        var log = new List<(string, int, TimeSpan)>();
        var a = system.ActorOf(Props.Create(() => new Recorder(log, simulation, "a")), "a");
        var b = system.ActorOf(Props.Create(() => new Recorder(log, simulation, "b")), "b");
        simulation.RunFor(TimeSpan.FromMilliseconds(1));
        var start = simulation.Elapsed;
        for (var i = 0; i < 300; i++)
        {
            var n = i;
            simulation.Schedule(gap * i, () =>
            {
                b.Tell(n);
                a.Tell(n);
            });
        }
        simulation.RunFor(gap * 300 + TimeSpan.FromSeconds(1));
        return log.Select(e => (e.Item1, e.Item2, e.Item3 - start - gap * e.Item2)).ToList();
    }

    [Fact]
    public void A_busy_node_handles_messages_late_but_each_senders_in_order_and_off_it_handles_them_at_once()
    {
        // A millisecond apart: a long wait holds the messages that queue behind it in the same mailbox.
        var busy = TellTwoActors(1, busy: true, TimeSpan.FromMilliseconds(1));
        var plain = TellTwoActors(1, busy: false, TimeSpan.FromMilliseconds(1));

        foreach (var name in new[] { "a", "b" })
        {
            // A mailbox is one queue scheduled once at a time: delaying its runs keeps the sender's order.
            Assert.Equal(Enumerable.Range(0, 300), busy.Where(e => e.Name == name).Select(e => e.Number));
            Assert.Equal(Enumerable.Range(0, 300), plain.Where(e => e.Name == name).Select(e => e.Number));
        }
        Assert.All(plain, e => Assert.Equal(TimeSpan.Zero, e.At));
        Assert.Contains(busy, e => e.At > TimeSpan.Zero);
    }

    [Fact]
    public void A_busy_nodes_runs_wait_mostly_under_2_ms_now_and_then_10_to_50_ms_and_never_longer()
    {
        // 100 ms apart: every message finds its mailbox idle, so its lateness is one run's wait.
        var waits = TellTwoActors(3, busy: true, TimeSpan.FromMilliseconds(100)).Select(e => e.At).Order().ToList();

        Assert.Equal(600, waits.Count);
        Assert.True(waits[(int)(waits.Count * 0.9)] < TimeSpan.FromMilliseconds(2), $"p90 wait {waits[(int)(waits.Count * 0.9)]}");
        Assert.InRange(waits.Count(w => w >= TimeSpan.FromMilliseconds(10)), 10, 60);
        Assert.True(waits[^1] <= BusyNodeDelay.Max, $"longest wait {waits[^1]}");
    }

    [Fact]
    public void A_busy_node_lets_a_later_input_overtake_a_message_still_waiting_for_its_run()
    {
        // b is told first each millisecond; with busy nodes a's run goes first now and then, as two threads race.
        var busy = TellTwoActors(2, busy: true, TimeSpan.FromMilliseconds(1));
        var plain = TellTwoActors(2, busy: false, TimeSpan.FromMilliseconds(1));

        static int Overtaken(List<(string Name, int Number, TimeSpan At)> log) =>
            Enumerable.Range(0, 300).Count(n =>
                log.FindIndex(e => e.Name == "a" && e.Number == n) < log.FindIndex(e => e.Name == "b" && e.Number == n));

        Assert.Equal(0, Overtaken(plain));
        Assert.True(Overtaken(busy) > 0);
    }

    [Fact]
    public void A_busy_node_that_crashes_stops_at_once_its_waiting_runs_made_ready_for_the_termination()
    {
        var sim = new ClusterSimulation(3, new SimulationOptions(3) { BusyNodes = true });
        sim.StartAll();
        Assert.True(sim.RunUntil(sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(30)));
        var crashed = new NodeId(2);
        for (var i = 0; i < 50; i++) sim.Submit(new NodeId(1 + (uint)(i % 3)));
        sim.RunFor(TimeSpan.FromMilliseconds(3));
        var system = sim.Node(crashed).System;

        sim.Crash(crashed);

        // No virtual time passed: the termination ran in the crash's pump, not when the waiting runs came due.
        Assert.True(SpinWait.SpinUntil(() => system.WhenTerminated.IsCompleted, TimeSpan.FromSeconds(10)), "the crashed system terminated");
        sim.RunFor(TimeSpan.FromSeconds(20));
        Assert.True(sim.OneRingOfLiveNodes());
        Assert.Empty(sim.CheckInvariants(livenessExpected: true));
    }

    [Fact]
    public void A_busy_run_replays_exactly_is_another_run_than_the_plain_one_and_its_replay_command_says_busy()
    {
        var plain = RandomScenarios.Run(ScenarioKind.Crashes, 5);
        var busy = RandomScenarios.Run(ScenarioKind.Crashes, 5, busy: true);
        var again = RandomScenarios.Run(ScenarioKind.Crashes, 5, captureLogs: true, busy: true);

        Assert.True(busy.Passed, busy.Report(40));
        Assert.True(busy.Busy);
        Assert.Equal(busy.TraceHash, again.TraceHash);
        Assert.NotEqual(plain.TraceHash, busy.TraceHash);
        Assert.Contains("--busy", busy.TotembenchReplayCommand, StringComparison.Ordinal);
        Assert.DoesNotContain("--busy", plain.TotembenchReplayCommand, StringComparison.Ordinal);
    }

    /// <summary>The busy seeds of the default test run: a few per soaked class (the soak runs thousands, notes/issue-10-busy.md).</summary>
    public const int Seeds = 8;

    [Theory]
    [InlineData(ScenarioKind.Traffic)]
    [InlineData(ScenarioKind.Crashes)]
    [InlineData(ScenarioKind.PartitionSafety)]
    [InlineData(ScenarioKind.Pauses)]
    [InlineData(ScenarioKind.Starts)]
    public void Busy_nodes_keep_every_invariant_and_settle_within_the_bound(ScenarioKind kind) =>
        SeedRunner.RunSeeds(kind, 1, Seeds, output, busy: true);
}
