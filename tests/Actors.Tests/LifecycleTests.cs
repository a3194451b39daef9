namespace Totem.Actors.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task A_failing_actor_restarts_with_fresh_state_and_keeps_its_mailbox()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var lifecycle = new List<string>();
        var counter = system.ActorOf(Props.Create(() => new Counter(lifecycle)), "counter");
        counter.Tell(new Increment());
        counter.Tell(new Increment());
        counter.Tell(new Boom());
        counter.Tell(new Increment());
        var count = counter.Ask<int>(new GetCount(), TimeSpan.FromSeconds(1));

        Assert.True(sim.RunUntil(() => count.IsCompleted, TimeSpan.FromSeconds(1)));

        Assert.Equal(1, await count);
        Assert.Equal(
            ["PreStart", "PreRestart boom at 2 Boom", "PostStop totem://node1/user/counter", "PreStart"],
            lifecycle);
        Assert.False(system.IsTerminated);
        Assert.Null(system.TerminationReason);
    }

    [Fact]
    public void The_StopSystem_policy_terminates_the_system_on_any_failure()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1", FailurePolicy.StopSystem);
        var lifecycle = new List<string>();
        var counter = system.ActorOf(Props.Create(() => new Counter(lifecycle)), "counter");
        counter.Tell(new Increment());
        counter.Tell(new Boom());
        counter.Tell(new Increment());

        sim.RunFor(TimeSpan.FromMilliseconds(1));

        Assert.True(system.IsTerminated);
        var reason = Assert.IsType<InvalidOperationException>(system.TerminationReason);
        Assert.Equal("boom at 1", reason.Message);
        Assert.Equal(["PreStart", "PostStop totem://node1/user/counter"], lifecycle);
        Assert.Equal(1, system.DeadLetters.Count);
    }

    [Fact]
    public void Messages_to_a_stopped_actor_become_dead_letters()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var lifecycle = new List<string>();
        var deadLetters = new List<DeadLetter>();
        system.DeadLetters.Published += deadLetters.Add;
        var counter = system.ActorOf(Props.Create(() => new Counter(lifecycle)), "counter");
        sim.RunFor(TimeSpan.Zero);

        system.Stop(counter);
        counter.Tell(new Increment());
        sim.RunFor(TimeSpan.Zero);
        counter.Tell(new GetCount());

        Assert.Equal(2, system.DeadLetters.Count);
        Assert.Equal([typeof(Increment), typeof(GetCount)], deadLetters.Select(d => d.Message.GetType()));
        Assert.All(deadLetters, d => Assert.Same(counter, d.Recipient));
        Assert.Equal(["PreStart", "PostStop totem://node1/user/counter"], lifecycle);
    }

    [Fact]
    public void A_PoisonPill_stops_the_actor_after_the_messages_queued_before_it()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var lifecycle = new List<string>();
        var counter = system.ActorOf(Props.Create(() => new Counter(lifecycle)), "counter");
        counter.Tell(new Increment());
        var count = counter.Ask<int>(new GetCount(), TimeSpan.FromSeconds(1));
        counter.Tell(PoisonPill.Instance);
        counter.Tell(new Increment());

        sim.RunFor(TimeSpan.Zero);

        Assert.True(count.IsCompletedSuccessfully);
        Assert.Equal(["PreStart", "PostStop totem://node1/user/counter"], lifecycle);
        Assert.Equal(1, system.DeadLetters.Count);
    }

    [Fact]
    public void Terminate_stops_children_before_parents_and_calls_every_PostStop()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var lifecycle = new List<string>();
        system.ActorOf(Props.Create(() => new Parent(lifecycle)), "parent");
        system.ActorOf(Props.Create(() => new Counter(lifecycle)), "counter");
        sim.RunFor(TimeSpan.Zero);
        lifecycle.Clear();

        var terminated = system.Terminate();
        sim.RunFor(TimeSpan.Zero);

        Assert.True(terminated.IsCompletedSuccessfully);
        Assert.Equal(3, lifecycle.Count);
        Assert.Contains("PostStop totem://node1/user/counter", lifecycle);
        Assert.True(
            lifecycle.IndexOf("PostStop totem://node1/user/parent/child") < lifecycle.IndexOf("parent PostStop"),
            string.Join(", ", lifecycle));
    }

    [Fact]
    public void Become_switches_behaviour_for_receive_actors_and_for_the_context()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var seen = new List<string>();
        var actor = system.ActorOf(Props.Create(() => new Switcher(seen)), "switcher");
        foreach (var message in new object[] { "a", 1, "b", 2, "c", 3, "d" })
        {
            actor.Tell(message);
        }

        sim.RunFor(TimeSpan.Zero);

        Assert.Equal(["initial a", "to-shouting", "SHOUT B", "to-context", "context c", "unbecome", "initial d"], seen);
        Assert.Equal(0, system.DeadLetters.Count);
    }

    [Fact]
    public void Unhandled_messages_become_dead_letters()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        var actor = system.ActorOf(Props.Create(() => new Counter([])), "counter");
        actor.Tell("not a counter message");
        sim.RunFor(TimeSpan.Zero);

        Assert.Equal(1, system.DeadLetters.Count);
    }

    [Fact]
    public void Child_names_must_be_unique_and_an_actor_cannot_be_created_with_new()
    {
        var sim = new Simulation(1);
        var system = sim.CreateSystem("node1");
        system.ActorOf(Props.Create(() => new Counter([])), "counter");

        Assert.Throws<InvalidActorNameException>(() => system.ActorOf(Props.Create(() => new Counter([])), "counter"));
        Assert.Throws<InvalidActorNameException>(() => system.ActorOf(Props.Create(() => new Counter([])), "a/b"));
        Assert.Throws<InvalidOperationException>(() => new Counter([]));
    }

    private sealed class Parent : ReceiveActor
    {
        private readonly List<string> _lifecycle;

        public Parent(List<string> lifecycle)
        {
            _lifecycle = lifecycle;
            Context.ActorOf(Props.Create(() => new Counter(lifecycle)), "child");
            ReceiveAny(_ => { });
        }

        protected override void PostStop() => _lifecycle.Add("parent PostStop");
    }

    private sealed class Switcher : ReceiveActor
    {
        public Switcher(List<string> seen)
        {
            Initial(seen);
        }

        private void Initial(List<string> seen)
        {
            Receive<string>(s => seen.Add("initial " + s));
            Receive<int>(_ =>
            {
                seen.Add("to-shouting");
                Become(() =>
                {
                    Receive<string>(s => seen.Add("SHOUT " + s.ToUpperInvariant()));
                    Receive<int>(_ =>
                    {
                        seen.Add("to-context");
                        Context.Become(message =>
                        {
                            if (message is string s)
                            {
                                seen.Add("context " + s);
                            }
                            else
                            {
                                seen.Add("unbecome");
                                Context.Unbecome();
                                Become(() => Initial(seen));
                            }
                        });
                    });
                });
            });
        }
    }
}
