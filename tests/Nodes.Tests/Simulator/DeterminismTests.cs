using Akka.Actor;
using Totem.Nodes.Simulator;
using Totem.Nodes.Simulator.Scenarios;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>The simulator on Akka.NET replays a seed exactly, and says so when it could not.</summary>
public sealed class DeterminismTests
{
    [Theory]
    [InlineData(ScenarioKind.Traffic, 3)]
    [InlineData(ScenarioKind.Crashes, 5)]
    [InlineData(ScenarioKind.PartitionSafety, 7)]
    public void Two_runs_of_one_seed_have_the_same_trace_hash_and_another_seed_a_different_one(ScenarioKind kind, int seed)
    {
        var first = RandomScenarios.Run(kind, seed);
        // The replay with logs (what totembench replay and a failing test print) is the same run.
        var replay = RandomScenarios.Run(kind, seed, captureLogs: true);
        var other = RandomScenarios.Run(kind, seed + 1);

        Assert.Matches("^[0-9a-f]{64}$", first.TraceHash);
        Assert.Equal(first.TraceHash, replay.TraceHash);
        Assert.Equal(first.Stats.Events, replay.Stats.Events);
        Assert.NotEqual(first.TraceHash, other.TraceHash);
    }

    [Fact]
    public void An_interleaved_run_replays_exactly_and_is_another_run_than_the_plain_one()
    {
        var plain = RandomScenarios.Run(ScenarioKind.Crashes, 5);
        var interleaved = RandomScenarios.Run(ScenarioKind.Crashes, 5, interleave: true);
        var again = RandomScenarios.Run(ScenarioKind.Crashes, 5, captureLogs: true, interleave: true);

        Assert.True(interleaved.Passed, interleaved.Report(40));
        Assert.True(interleaved.Interleaved);
        Assert.Equal(interleaved.TraceHash, again.TraceHash);
        // Some input of an instant went before the actors' own messages: the order of events, hence the trace, changed.
        Assert.NotEqual(plain.TraceHash, interleaved.TraceHash);
        Assert.Contains("--interleave", interleaved.TotembenchReplayCommand, StringComparison.Ordinal);
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    [Fact]
    public void Work_sent_into_the_simulation_from_another_thread_fails_the_run()
    {
        var simulation = new Simulation(1);
        var system = simulation.CreateSystem("node1-1");
        var echo = system.ActorOf(Props.Create(() => new Echo()), "echo");
        simulation.RunFor(TimeSpan.FromMilliseconds(10));
        Assert.Equal(0, simulation.ForeignWork);

        var outsider = new Thread(() => echo.Tell("from another thread"));
        outsider.Start();
        outsider.Join();

        var error = Assert.Throws<InvalidOperationException>(() => simulation.RunFor(TimeSpan.FromMilliseconds(10)));
        Assert.Contains("another thread", error.Message);
    }

    private sealed class Ticker : ReceiveActor, IWithTimers
    {
        public Ticker(List<(string, TimeSpan)> log, Simulation simulation)
        {
            Receive<string>(name => log.Add((name, simulation.Elapsed)));
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart()
        {
            Timers.StartSingleTimer("b", "b", TimeSpan.FromMilliseconds(30));
            Timers.StartSingleTimer("a", "a", TimeSpan.FromMilliseconds(10));
            Timers.StartSingleTimer("c", "c", TimeSpan.FromMilliseconds(30));
            Timers.StartSingleTimer("dropped", "dropped", TimeSpan.FromMilliseconds(20));
            Timers.Cancel("dropped");
        }
    }

    [Fact]
    public void Timers_fire_in_virtual_time_ordered_by_due_time_then_by_when_they_were_set()
    {
        var simulation = new Simulation(1);
        var system = simulation.CreateSystem("node1-1");
        var log = new List<(string, TimeSpan)>();
        system.ActorOf(Props.Create(() => new Ticker(log, simulation)), "ticker");

        simulation.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal([("a", TimeSpan.FromMilliseconds(10)), ("b", TimeSpan.FromMilliseconds(30)), ("c", TimeSpan.FromMilliseconds(30))], log);
        Assert.Equal(Simulation.Epoch + TimeSpan.FromSeconds(1), system.Scheduler.Now);
    }

    [Fact]
    public void A_crash_terminates_the_node_system_at_once_and_its_timers_die_with_it()
    {
        var sim = new ClusterSimulation(1, new SimulationOptions(3));
        sim.StartAll();
        Assert.True(sim.RunUntil(sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(30)));
        var system = sim.Node(new Totem.Protocol.Wire.NodeId(2)).System;

        sim.Crash(new Totem.Protocol.Wire.NodeId(2));

        Assert.False(sim.IsUp(new Totem.Protocol.Wire.NodeId(2)));
        Assert.True(SpinWait.SpinUntil(() => system.WhenTerminated.IsCompleted, TimeSpan.FromSeconds(10)), "the crashed system terminated");
        sim.RunFor(TimeSpan.FromSeconds(20));
        Assert.True(sim.OneRingOfLiveNodes());
        Assert.Empty(sim.CheckInvariants(livenessExpected: true));
    }

    [Fact]
    public void A_system_given_its_own_settings_keeps_them_over_the_simulation_defaults_merged_once_per_process()
    {
        var simulation = new Simulation(1);
        var plain = simulation.CreateSystem("node1-1");
        var tuned = simulation.CreateSystem("node2-1", Akka.Configuration.ConfigurationFactory.ParseString("akka.actor.default-dispatcher.throughput = 3"));

        Assert.Equal(3, tuned.Settings.Config.GetInt("akka.actor.default-dispatcher.throughput"));
        Assert.Equal(10, plain.Settings.Config.GetInt("akka.actor.default-dispatcher.throughput"));
        // Both systems are still on this simulation: its dispatcher and its virtual clock.
        Assert.IsType<SimulatedDispatcher>(tuned.Dispatchers.DefaultGlobalDispatcher);
        Assert.IsType<VirtualTimeScheduler>(tuned.Scheduler);
        Assert.IsType<VirtualTimeScheduler>(plain.Scheduler);
        Assert.Equal(Simulation.Epoch, tuned.Scheduler.Now);
    }

    [Fact]
    public void A_system_with_a_logger_actor_is_created_on_a_helper_thread_while_the_simulation_pumps_its_start()
    {
        var simulation = new Simulation(1);
        // A logger actor makes ActorSystem.Create wait for it, and the actor runs on the simulation: unless the loop pumps
        // the creation's work as it arrives, Akka gives up after its logger start-up timeout and the creation throws.
        var system = simulation.CreateSystem("node1-1", Akka.Configuration.ConfigurationFactory.ParseString("akka.loggers = [\"Akka.Event.DefaultLogger, Akka\"]"));

        var log = new List<(string, TimeSpan)>();
        system.ActorOf(Props.Create(() => new Ticker(log, simulation)), "ticker");
        simulation.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(3, log.Count);
        Assert.Equal(0, simulation.ForeignWork);
    }
}
