using System.Collections.Concurrent;

namespace Totem.Actors.Tests;

/// <summary>Real threads: assertions never depend on timing, only generous waits for completion.</summary>
public sealed class ThreadPoolDispatcherTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task One_actor_never_runs_two_messages_at_once_and_keeps_each_senders_order()
    {
        const int Senders = 8;
        const int PerSender = 2000;
        var system = ActorSystem.Create("pool");
        var probe = new ConcurrencyProbe();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = system.ActorOf(Props.Create(() => new Checker(probe, Senders * PerSender, done)), "checker");

        var threads = Enumerable.Range(0, Senders).Select(sender => Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < PerSender; i++)
                {
                    actor.Tell(new Numbered(sender, i));
                }
            },
            TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(threads).WaitAsync(Generous);
        await done.Task.WaitAsync(Generous);

        Assert.Equal(1, probe.MaxConcurrent);
        Assert.Equal(0, probe.OrderViolations);
        Assert.Equal(Senders * PerSender, probe.Processed);
        await system.Terminate().WaitAsync(Generous);
    }

    [Fact]
    public async Task Ask_returns_the_reply_and_restart_resets_state()
    {
        var system = ActorSystem.Create("pool");
        var lifecycle = new List<string>();
        var counter = system.ActorOf(Props.Create(() => new Counter(lifecycle)), "counter");
        counter.Tell(new Increment());
        counter.Tell(new Increment());
        Assert.Equal(2, await counter.Ask<int>(new GetCount(), Generous));

        counter.Tell(new Boom());
        counter.Tell(new Increment());
        Assert.Equal(1, await counter.Ask<int>(new GetCount(), Generous));
        await system.Terminate().WaitAsync(Generous);
        Assert.Equal(["PreStart", "PreRestart boom at 2 Boom", "PostStop totem://pool/user/counter", "PreStart", "PostStop totem://pool/user/counter"], lifecycle);
    }

    [Fact]
    public async Task The_StopSystem_policy_terminates_the_system_and_exposes_the_failure()
    {
        var system = ActorSystem.Create("pool", new ActorSystemSettings { FailurePolicy = FailurePolicy.StopSystem });
        var counter = system.ActorOf(Props.Create(() => new Counter([])), "counter");
        counter.Tell(new Increment());
        counter.Tell(new Boom());

        await system.WhenTerminated.WaitAsync(Generous);

        Assert.Equal("boom at 1", Assert.IsType<InvalidOperationException>(system.TerminationReason).Message);
        Assert.Throws<InvalidOperationException>(() => system.ActorOf(Props.Create(() => new Counter([])), "late"));
    }

    [Fact]
    public async Task A_cancelled_timer_never_fires_while_a_later_one_does()
    {
        var system = ActorSystem.Create("pool");
        var received = new ConcurrentQueue<string>();
        var sentinel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = system.ActorOf(Props.Create(() => new Collector(received, "kept", sentinel)), "collector");

        var cancelled = system.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(20), actor, "cancelled", null);
        cancelled.Cancel();
        system.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(200), actor, "kept", null);
        await sentinel.Task.WaitAsync(Generous);

        Assert.True(cancelled.IsCancelled);
        Assert.Equal(["kept"], received);
        await system.Terminate().WaitAsync(Generous);
    }

    [Fact]
    public async Task Terminate_runs_PostStop_and_later_messages_are_dead_letters()
    {
        var system = ActorSystem.Create("pool");
        var lifecycle = new List<string>();
        var counter = system.ActorOf(Props.Create(() => new Counter(lifecycle)), "counter");
        Assert.Equal(0, await counter.Ask<int>(new GetCount(), Generous));

        await system.Terminate().WaitAsync(Generous);
        counter.Tell(new Increment());

        Assert.True(system.IsTerminated);
        Assert.Equal(["PreStart", "PostStop totem://pool/user/counter"], lifecycle);
        Assert.Equal(1, system.DeadLetters.Count);
    }

    [Fact]
    public async Task A_message_told_after_Stop_is_a_dead_letter()
    {
        var system = ActorSystem.Create("pool");
        var counter = system.ActorOf(Props.Create(() => new Counter([])), "counter");
        var dead = new TaskCompletionSource<DeadLetter>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.DeadLetters.Published += d => dead.TrySetResult(d);

        system.Stop(counter);
        counter.Tell(new Increment());

        var letter = await dead.Task.WaitAsync(Generous);
        Assert.IsType<Increment>(letter.Message);
        Assert.Same(counter, letter.Recipient);
        await system.Terminate().WaitAsync(Generous);
    }

    private sealed record Numbered(int Sender, int Sequence);

    private sealed class ConcurrencyProbe
    {
        private int _inside;
        private int _maxConcurrent;

        public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

        public int OrderViolations { get; set; }

        public int Processed { get; set; }

        public void Enter()
        {
            var now = Interlocked.Increment(ref _inside);
            int max;
            while (now > (max = Volatile.Read(ref _maxConcurrent)) && Interlocked.CompareExchange(ref _maxConcurrent, now, max) != max)
            {
            }

            // Widen the window in which a second thread would be caught inside.
            Thread.SpinWait(50);
        }

        public void Exit() => Interlocked.Decrement(ref _inside);
    }

    private sealed class Checker : ReceiveActor
    {
        public Checker(ConcurrencyProbe probe, int expected, TaskCompletionSource done)
        {
            var next = new Dictionary<int, int>();
            Receive<Numbered>(message =>
            {
                probe.Enter();
                var want = next.GetValueOrDefault(message.Sender);
                if (message.Sequence != want)
                {
                    probe.OrderViolations++;
                }

                next[message.Sender] = message.Sequence + 1;
                probe.Processed++;
                probe.Exit();
                if (probe.Processed == expected)
                {
                    done.TrySetResult();
                }
            });
        }
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(ConcurrentQueue<string> received, string last, TaskCompletionSource sentinel)
        {
            Receive<string>(s =>
            {
                received.Enqueue(s);
                if (s == last)
                {
                    sentinel.TrySetResult();
                }
            });
        }
    }
}
