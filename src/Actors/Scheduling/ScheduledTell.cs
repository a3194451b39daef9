namespace Totem.Actors.Scheduling;

/// <summary>One scheduled tell. The gate makes Cancel final: once it returns, the timer tells nothing more.</summary>
internal sealed class ScheduledTell(ActorScheduler scheduler, IActorRef receiver, object message, IActorRef? sender, bool repeating)
    : ICancelable
{
    private static readonly TimerCallback OnTimer = static state => ((ScheduledTell)state!).Fire();

    private readonly object _gate = new();
    private ITimer? _timer;
    private volatile bool _cancelled;
    private bool _finished;

    public bool IsCancelled => _cancelled;

    public void Start(TimeProvider timeProvider, TimeSpan delay, TimeSpan interval)
    {
        var timer = timeProvider.CreateTimer(OnTimer, this, delay, interval);
        lock (_gate)
        {
            if (!_cancelled && !_finished)
            {
                _timer = timer;
                return;
            }
        }

        timer.Dispose();
    }

    public void Cancel()
    {
        ITimer? timer;
        lock (_gate)
        {
            if (_cancelled)
            {
                return;
            }

            _cancelled = true;
            timer = _timer;
            _timer = null;
        }

        timer?.Dispose();
        scheduler.Forget(this);
    }

    public override string ToString() => $"timer {receiver.Path} {message.GetType().Name}";

    private void Fire()
    {
        ITimer? finishedTimer = null;
        lock (_gate)
        {
            if (_cancelled || _finished)
            {
                return;
            }

            receiver.Tell(message, sender);
            if (!repeating)
            {
                _finished = true;
                finishedTimer = _timer;
                _timer = null;
            }
        }

        if (!repeating)
        {
            finishedTimer?.Dispose();
            scheduler.Forget(this);
        }
    }
}
