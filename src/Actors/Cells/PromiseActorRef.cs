namespace Totem.Actors.Cells;

/// <summary>The temporary sender of an Ask: completes its task with the first reply, or fails it on timeout.</summary>
internal sealed class PromiseActorRef<T> : IInternalActorRef
{
    private static readonly TimerCallback OnTimeout = static state => ((PromiseActorRef<T>)state!).TimedOut();

    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IActorRef _target;
    private readonly object _question;
    private readonly TimeSpan _timeout;
    private readonly object _gate = new();
    private ITimer? _timer;

    public PromiseActorRef(ActorSystem system, IActorRef target, object question, TimeSpan timeout)
    {
        System = system;
        _target = target;
        _question = question;
        _timeout = timeout;
        Path = $"{system.RootAddress}/temp/${system.NextTemporaryId()}";
    }

    public ActorSystem System { get; }

    public string Path { get; }

    public Task<T> Task => _completion.Task;

    public void Start()
    {
        if (_timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        var timer = System.TimeProvider.CreateTimer(OnTimeout, this, _timeout, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            if (_completion.Task.IsCompleted)
            {
                timer.Dispose();
                return;
            }

            _timer = timer;
        }
    }

    public void Tell(object message, IActorRef? sender = null)
    {
        if (message is null)
        {
            return;
        }

        bool completed = message switch
        {
            T reply => _completion.TrySetResult(reply),
            Status.Failure failure => _completion.TrySetException(failure.Cause),
            _ => _completion.TrySetException(new InvalidCastException(
                $"Ask of {_question.GetType().Name} to {_target.Path} expected a reply of type {typeof(T).Name} but got {message.GetType().Name}.")),
        };

        if (completed)
        {
            DisposeTimer();
        }
        else
        {
            System.DeadLetters.Tell(new DeadLetter(message, sender, this));
        }
    }

    public override string ToString() => Path;

    private void TimedOut()
    {
        _completion.TrySetException(new AskTimeoutException(
            $"Ask timed out on [{_target.Path}] after [{_timeout.TotalMilliseconds} ms]. Message of type [{_question.GetType().Name}] was sent."));
        DisposeTimer();
    }

    private void DisposeTimer()
    {
        ITimer? timer;
        lock (_gate)
        {
            timer = _timer;
            _timer = null;
        }

        timer?.Dispose();
    }
}
