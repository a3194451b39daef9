using Totem.Actors.Cells;

namespace Totem.Actors.Scheduling;

/// <summary>
/// Keyed timers of one actor. Each start gets a generation; the mailbox delivers a timer's message only if its
/// generation is still the key's current one, so a cancelled or restarted timer never reaches the actor even when
/// its message was already queued. Used only from the owning actor's turns.
/// </summary>
internal sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, ActiveTimer> _timers = [];
    private long _generation;

    public void StartSingleTimer(object key, object message, TimeSpan delay) =>
        Start(key, message, delay, Timeout.InfiniteTimeSpan);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) =>
        Start(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval) =>
        Start(key, message, initialDelay, interval);

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var timer))
        {
            timer.Schedule.Cancel();
        }
    }

    public void CancelAll()
    {
        foreach (var timer in _timers.Values)
        {
            timer.Schedule.Cancel();
        }

        _timers.Clear();
    }

    /// <summary>True when the message belongs to the key's current timer; a single timer is then done.</summary>
    public bool Accept(TimerMessage message)
    {
        if (!_timers.TryGetValue(message.Key, out var timer) || timer.Generation != message.Generation)
        {
            return false;
        }

        if (!timer.Repeating)
        {
            _timers.Remove(message.Key);
        }

        return true;
    }

    private void Start(object key, object message, TimeSpan delay, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        Cancel(key);
        var generation = ++_generation;
        var wrapped = new TimerMessage(key, generation, message);
        var repeating = interval != Timeout.InfiniteTimeSpan;
        var schedule = repeating
            ? cell.System.Scheduler.ScheduleTellRepeatedly(delay, interval, cell.Self, wrapped, null)
            : cell.System.Scheduler.ScheduleTellOnce(delay, cell.Self, wrapped, null);
        _timers[key] = new ActiveTimer(generation, repeating, schedule);
    }

    internal sealed record TimerMessage(object Key, long Generation, object Message)
    {
        public override string ToString() => $"Timer({Key}) {Message}";
    }

    private sealed record ActiveTimer(long Generation, bool Repeating, ICancelable Schedule);
}
