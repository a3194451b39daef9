using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace Totem.Nodes.Simulator;

/// <summary>
/// The scheduler of every simulated system (<c>akka.scheduler.implementation</c>): timers go to the simulation's heap
/// keyed (due, seq) on virtual time; a cancelled timer is skipped when it comes due, and every timer of a system
/// that is terminating is skipped too (marked by the node on the simulation thread), so a crashed node's timers
/// die with it at the instant of the crash. While the node is paused its timers wait (see <see cref="Pause"/>).
/// </summary>
public sealed class VirtualTimeScheduler : SchedulerBase, IDateTimeOffsetNowTimeProvider, IDisposable
{
    private readonly Simulation _simulation;
    private volatile bool _disposed;

    public VirtualTimeScheduler(Config config, ILoggingAdapter log) : base(config, log)
    {
        _simulation = Simulation.Find(config);
    }

    protected override DateTimeOffset TimeNow => _simulation.Now;

    public override TimeSpan MonotonicClock => _simulation.Elapsed;

    public override TimeSpan HighResMonotonicClock => _simulation.Elapsed;

    protected override void InternalScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Add(delay, new Tell(this, cancelable, TimeSpan.Zero, receiver, message, sender));

    protected override void InternalScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        Add(initialDelay, new Tell(this, cancelable, interval, receiver, message, sender));

    protected override void InternalScheduleOnce(TimeSpan delay, Action action, ICancelable cancelable) =>
        Add(delay, new Run(this, cancelable, TimeSpan.Zero, action));

    protected override void InternalScheduleOnce(TimeSpan delay, IRunnable action, ICancelable cancelable) =>
        Add(delay, new Run(this, cancelable, TimeSpan.Zero, action.Run));

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable cancelable) =>
        Add(initialDelay, new Run(this, cancelable, interval, action));

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, IRunnable action, ICancelable cancelable) =>
        Add(initialDelay, new Run(this, cancelable, interval, action.Run));

    private volatile bool _terminating;

    private void Add(TimeSpan delay, Entry entry)
    {
        if (!_simulation.OnLoopThread && (_terminating || _disposed))
        {
            // Housekeeping of the system's real-thread side while it stops (Akka's termination callbacks run on the
            // thread pool): not the simulation's work, so it runs on real time.
            _ = Task.Delay(delay).ContinueWith(_ => entry.Execute(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return;
        }
        // From the crash on, the node's timers are dead. Decided by _terminating, which the node sets on the simulation
        // thread, never by _disposed, which Akka sets from a thread-pool continuation at a moment no seed decides
        // (an entry skipped or not would shift every later sequence number, and the trace hash with it).
        if (_terminating) return;
        _simulation.AddTimer(delay, entry);
    }

    private bool _paused;
    private readonly List<Entry> _held = new();

    /// <summary>The process stops being scheduled: the timers that come due meanwhile fire only at <see cref="Resume"/>.</summary>
    internal void Pause() => _paused = true;

    /// <summary>
    /// The process runs again: its overdue timers fire now, after what is ready (the datagrams that queued at the node
    /// during the pause), as a stopped process finds its socket full when its timers are late.
    /// </summary>
    internal void Resume()
    {
        _paused = false;
        foreach (var entry in _held) _simulation.AddTimer(TimeSpan.Zero, entry);
        _held.Clear();
    }

    /// <summary>The node's system is terminating (TotemNode tells before it calls Terminate).</summary>
    internal void SystemTerminating() => _terminating = true;

    /// <summary>Called when the system terminates (possibly from a thread-pool continuation): only a flag.</summary>
    public void Dispose() => _disposed = true;

    private abstract class Entry(VirtualTimeScheduler owner, ICancelable? cancelable, TimeSpan interval) : Simulation.TimerEntry
    {
        // Not owner._disposed: Akka disposes the scheduler from a thread-pool continuation, at a moment no seed decides.
        public override bool IsLive => !owner._terminating && cancelable is not { IsCancellationRequested: true };

        public override void Fire(Simulation simulation)
        {
            if (owner._paused)
            {
                owner._held.Add(this);
                return;
            }
            if (interval > TimeSpan.Zero && !owner._terminating) owner.Add(interval, this);
            Execute();
        }

        public abstract void Execute();
    }

    private sealed class Tell(VirtualTimeScheduler owner, ICancelable? cancelable, TimeSpan interval, ICanTell receiver, object message, IActorRef sender)
        : Entry(owner, cancelable, interval)
    {
        public override string? Label => null;
        public override void Execute() => receiver.Tell(message, sender);
        public override string ToString() => $"timer {message.GetType().Name}";
    }

    private sealed class Run(VirtualTimeScheduler owner, ICancelable? cancelable, TimeSpan interval, Action action)
        : Entry(owner, cancelable, interval)
    {
        public override string? Label => null;
        public override void Execute() => action();
        public override string ToString() => "scheduled action";
    }
}
