namespace Totem.Actors.Tests;

public sealed class SimulationDispatcherTests
{
    [Fact]
    public void Messages_from_each_sender_arrive_in_order_and_interleave_by_turn()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var log = new List<(TimeSpan At, object Message)>();
        var senders = new List<string>();
        var sink = system.ActorOf(Props.Create(() => new SenderRecorder(senders)), "sink");
        var a = system.ActorOf(Props.Create(() => new Sequencer(sink, 50)), "a");
        var b = system.ActorOf(Props.Create(() => new Sequencer(sink, 50)), "b");
        a.Tell("go");
        b.Tell("go");

        sim.RunFor(TimeSpan.Zero);

        Assert.Equal(100, senders.Count);
        foreach (var name in new[] { "a", "b" })
        {
            var sequence = senders.Where(s => s.StartsWith(name + ":", StringComparison.Ordinal))
                .Select(s => int.Parse(s[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture))
                .ToList();
            Assert.Equal(Enumerable.Range(0, 50), sequence);
        }
    }

    [Fact]
    public void A_timer_fires_at_exactly_its_virtual_time()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var log = new List<(TimeSpan At, object Message)>();
        var recorder = system.ActorOf(Props.Create(() => new Recorder(log, sim)), "recorder");

        system.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(150), recorder, "once", null);
        sim.RunFor(TimeSpan.FromMilliseconds(149));
        Assert.Empty(log);
        sim.RunFor(TimeSpan.FromSeconds(1));

        var (at, message) = Assert.Single(log);
        Assert.Equal(TimeSpan.FromMilliseconds(150), at);
        Assert.Equal("once", message);
        Assert.Equal(Simulation.Epoch + TimeSpan.FromMilliseconds(1149), system.Now);
    }

    [Fact]
    public void A_repeating_timer_fires_at_each_interval_until_cancelled()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var log = new List<(TimeSpan At, object Message)>();
        var recorder = system.ActorOf(Props.Create(() => new Recorder(log, sim)), "recorder");

        var timer = system.Scheduler.ScheduleTellRepeatedly(
            TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100), recorder, "tick", null);
        sim.RunFor(TimeSpan.FromMilliseconds(350));
        timer.Cancel();
        sim.RunFor(TimeSpan.FromSeconds(5));

        Assert.True(timer.IsCancelled);
        Assert.Equal(
            new[] { 100, 200, 300 }.Select(ms => TimeSpan.FromMilliseconds(ms)),
            log.Select(entry => entry.At));
    }

    [Fact]
    public void A_cancelled_timer_never_fires()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var log = new List<(TimeSpan At, object Message)>();
        var recorder = system.ActorOf(Props.Create(() => new Recorder(log, sim)), "recorder");

        var cancelled = system.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(100), recorder, "cancelled", null);
        system.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(200), recorder, "kept", null);
        sim.Schedule(TimeSpan.FromMilliseconds(99), cancelled.Cancel);
        sim.RunFor(TimeSpan.FromSeconds(1));

        var (at, message) = Assert.Single(log);
        Assert.Equal("kept", message);
        Assert.Equal(TimeSpan.FromMilliseconds(200), at);
        Assert.Equal(0, sim.PendingEvents);
    }

    [Fact]
    public void A_keyed_timer_cancelled_after_its_message_was_queued_is_not_delivered()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var received = new List<string>();
        var actor = system.ActorOf(Props.Create(() => new TimerUser(received)), "timers");

        // At 100 ms "cancel" is told first, then the timer fires and queues its message behind it: the
        // timer's message is already in the mailbox when the actor cancels the timer.
        sim.Schedule(TimeSpan.FromMilliseconds(100), () => actor.Tell("cancel"));
        actor.Tell("arm");
        sim.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(["arm", "cancel"], received);
    }

    [Fact]
    public void RunUntil_returns_false_at_exactly_the_timeout()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var log = new List<(TimeSpan At, object Message)>();
        var recorder = system.ActorOf(Props.Create(() => new Recorder(log, sim)), "recorder");
        system.Scheduler.ScheduleTellRepeatedly(TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(30), recorder, "tick", null);

        var reached = sim.RunUntil(() => log.Count > 1000, TimeSpan.FromMilliseconds(500));

        Assert.False(reached);
        Assert.Equal(TimeSpan.FromMilliseconds(500), sim.Elapsed);
        Assert.Equal(16, log.Count);
    }

    [Fact]
    public void RunUntil_stops_at_the_event_that_makes_the_predicate_true()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var log = new List<(TimeSpan At, object Message)>();
        var recorder = system.ActorOf(Props.Create(() => new Recorder(log, sim)), "recorder");
        system.Scheduler.ScheduleTellRepeatedly(TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(30), recorder, "tick", null);

        Assert.True(sim.RunUntil(() => log.Count == 3, TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromMilliseconds(90), sim.Elapsed);
    }

    [Fact]
    public async Task Ask_completes_when_the_simulation_runs_the_reply_and_times_out_on_virtual_time()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var lifecycle = new List<string>();
        var counter = system.ActorOf(Props.Create(() => new Counter(lifecycle)), "counter");
        counter.Tell(new Increment());
        counter.Tell(new Increment());

        var answer = counter.Ask<int>(new GetCount(), TimeSpan.FromSeconds(1));
        Assert.False(answer.IsCompleted);
        Assert.True(sim.RunUntil(() => answer.IsCompleted, TimeSpan.FromSeconds(1)));
        Assert.Equal(2, await answer);
        Assert.Equal(TimeSpan.Zero, sim.Elapsed);

        var unanswered = counter.Ask<int>(new Increment(), TimeSpan.FromMilliseconds(250));
        Assert.True(sim.RunUntil(() => unanswered.IsCompleted, TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromMilliseconds(250), sim.Elapsed);
        await Assert.ThrowsAsync<AskTimeoutException>(() => unanswered);
    }

    [Fact]
    public void Terminating_a_simulated_node_drops_its_messages_and_timers_and_the_name_can_be_reused()
    {
        var sim = new Simulation(1);
        var node = sim.CreateSystem("node1");
        var log = new List<(TimeSpan At, object Message)>();
        var recorder = node.ActorOf(Props.Create(() => new Recorder(log, sim)), "recorder");
        node.Scheduler.ScheduleTellRepeatedly(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10), recorder, "tick", null);
        sim.RunFor(TimeSpan.FromMilliseconds(25));
        Assert.Equal(2, log.Count);

        recorder.Tell("pending-1");
        recorder.Tell("pending-2");
        node.Terminate();
        recorder.Tell("after-crash");
        sim.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(2, log.Count);
        Assert.True(node.IsTerminated);
        Assert.Equal(3, node.DeadLetters.Count);
        Assert.Equal(0, sim.PendingEvents);

        var restarted = sim.CreateSystem("node1");
        var log2 = new List<(TimeSpan At, object Message)>();
        var recorder2 = restarted.ActorOf(Props.Create(() => new Recorder(log2, sim)), "recorder");
        Assert.Equal(recorder.Path, recorder2.Path);
        recorder2.Tell("hello");
        sim.RunFor(TimeSpan.Zero);
        Assert.Equal("hello", Assert.Single(log2).Message);
    }

    [Fact]
    public void Identical_seeds_give_identical_traces_and_different_seeds_different_ones()
    {
        var first = RandomWorkload(42);
        var second = RandomWorkload(42);
        var other = RandomWorkload(43);

        Assert.True(first.Trace.Count > 500, $"only {first.Trace.Count} events");
        Assert.Equal(first.Trace, second.Trace);
        Assert.Equal(first.TraceHash, second.TraceHash);
        Assert.NotEqual(first.TraceHash, other.TraceHash);
        Assert.Matches("^[0-9a-f]{64}$", first.TraceHash);
    }

    private static Simulation RandomWorkload(int seed)
    {
        var sim = new Simulation(seed, enableTrace: true);
        var peers = new List<IActorRef>();
        for (var n = 1; n <= 3; n++)
        {
            var system = sim.CreateSystem("node" + n);
            for (var a = 0; a < 3; a++)
            {
                peers.Add(system.ActorOf(Props.Create(() => new Gossip(sim, peers)), "gossip" + a));
            }
        }

        foreach (var peer in peers)
        {
            peer.Tell(new Rumour(0));
        }

        sim.RunFor(TimeSpan.FromSeconds(2));
        return sim;
    }

    private sealed record Rumour(int Hops);

    /// <summary>Forwards each rumour to a random peer, directly or after a random network delay.</summary>
    private sealed class Gossip : ReceiveActor
    {
        public Gossip(Simulation sim, List<IActorRef> peers)
        {
            Receive<Rumour>(rumour =>
            {
                if (rumour.Hops >= 60)
                {
                    return;
                }

                var next = peers[sim.Random.Next(peers.Count)];
                var forwarded = rumour with { Hops = rumour.Hops + 1 };
                if (sim.Random.Next(2) == 0)
                {
                    next.Tell(forwarded, Self);
                }
                else
                {
                    sim.Schedule(TimeSpan.FromMilliseconds(sim.Random.Next(1, 20)), () => next.Tell(forwarded, Self), "datagram");
                }
            });
        }
    }

    private sealed class SenderRecorder : ReceiveActor
    {
        public SenderRecorder(List<string> log)
        {
            Receive<int>(n => log.Add($"{Sender.Path[(Sender.Path.LastIndexOf('/') + 1)..]}:{n}"));
        }
    }

    private sealed class TimerUser : ReceiveActor
    {
        public TimerUser(List<string> received)
        {
            Receive<string>(s =>
            {
                received.Add(s);
                if (s == "arm")
                {
                    Timers.StartSingleTimer("key", "fired", TimeSpan.FromMilliseconds(100));
                }
                else if (s == "cancel")
                {
                    Assert.True(Timers.IsTimerActive("key"));
                    Timers.Cancel("key");
                }
            });
        }
    }
}
