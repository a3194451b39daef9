namespace Totem.Actors.Dispatch;

/// <summary>
/// A timer on virtual time. Each (re)arming gets a new generation; queue entries of older generations are stale
/// and skipped, so Change and Dispose cost nothing in the event queue.
/// </summary>
internal sealed class VirtualTimer : SimulationEvent, ITimer
{
    private readonly Simulation _simulation;
    private readonly TimerCallback _callback;
    private readonly object? _state;
    private long _generation;
    private long _periodTicks;
    private bool _pending;
    private bool _disposed;

    public VirtualTimer(Simulation simulation, TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _simulation = simulation;
        _callback = callback;
        _state = state;
        Change(dueTime, period);
    }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, "Due time must be non-negative or infinite.");
        }

        if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Period must be non-negative or infinite.");
        }

        if (_disposed)
        {
            return false;
        }

        Unqueue();
        _generation++;
        _periodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _pending = true;
            _simulation.Enqueue(_simulation.After(dueTime), this, _generation);
        }

        return true;
    }

    public override bool IsLive(long token) => !_disposed && token == _generation;

    public override void Fire(long token)
    {
        _pending = false;
        if (_periodTicks > 0)
        {
            _pending = true;
            _simulation.Enqueue(_simulation.After(new TimeSpan(_periodTicks)), this, _generation);
        }

        _callback(_state);
    }

    public override string Describe() => _state?.ToString() ?? "timer";

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Unqueue();
        _disposed = true;
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Unqueue()
    {
        if (_pending)
        {
            _pending = false;
            _simulation.NoteStaleEvent();
        }
    }
}
