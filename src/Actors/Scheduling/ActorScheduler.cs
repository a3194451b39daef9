namespace Totem.Actors.Scheduling;

/// <summary>
/// The actor system's scheduler, built on its TimeProvider (real timers or the simulation's virtual ones).
/// It remembers pending tells so that terminating the system cancels them all at once.
/// </summary>
internal sealed class ActorScheduler(TimeProvider timeProvider) : IScheduler
{
    private readonly object _gate = new();
    private readonly HashSet<ScheduledTell> _pending = [];
    private bool _closed;

    public DateTimeOffset Now => timeProvider.GetUtcNow();

    public ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return Start(delay, Timeout.InfiniteTimeSpan, receiver, message, sender);
    }

    public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return Start(initialDelay, interval, receiver, message, sender);
    }

    /// <summary>Cancels every pending tell and refuses new ones (the system is terminating).</summary>
    public void Close()
    {
        ScheduledTell[] pending;
        lock (_gate)
        {
            _closed = true;
            pending = [.. _pending];
            _pending.Clear();
        }

        foreach (var tell in pending)
        {
            tell.Cancel();
        }
    }

    internal void Forget(ScheduledTell tell)
    {
        lock (_gate)
        {
            _pending.Remove(tell);
        }
    }

    private ScheduledTell Start(TimeSpan delay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        var tell = new ScheduledTell(this, receiver, message, sender, repeating: interval != Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            if (_closed)
            {
                tell.Cancel();
                return tell;
            }

            _pending.Add(tell);
        }

        tell.Start(timeProvider, delay, interval);
        return tell;
    }
}
