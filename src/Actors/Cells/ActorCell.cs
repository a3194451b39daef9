using Serilog.Events;
using Totem.Actors.Dispatch;
using Totem.Actors.Scheduling;

namespace Totem.Actors.Cells;

/// <summary>
/// The runtime side of one actor: mailbox, current instance, children, lifecycle and supervision. Everything
/// except Post and the child registry runs on the mailbox's turn, so never two at once for one actor.
/// </summary>
internal sealed class ActorCell : IActorContext
{
    private const int Running = 0;
    private const int Stopping = 1;
    private const int Terminated = 2;

    [ThreadStatic]
    private static ActorCell? t_constructing;

    private readonly Props? _props;
    private readonly object _childLock = new();
    private readonly Dictionary<string, ActorCell> _childrenByName = new(StringComparer.Ordinal);
    private readonly List<ActorCell> _unterminatedChildren = [];
    private int _nextChildId;
    private ActorBase? _actor;
    private Action<object>? _behaviour;
    private IActorRef? _sender;
    private TimerScheduler? _timers;
    private volatile int _state;

    public ActorCell(ActorSystem system, ActorCell? parent, Props? props, string name, string path)
    {
        System = system;
        ParentCell = parent;
        _props = props;
        Name = name;
        Path = path;
        Self = new LocalActorRef(this);
        Mailbox = system.Dispatcher.CreateMailbox(this);
    }

    internal static ActorCell? Constructing => t_constructing;

    public ActorSystem System { get; }

    public ActorCell? ParentCell { get; }

    public string Name { get; }

    public string Path { get; }

    public LocalActorRef Self { get; }

    public Mailbox Mailbox { get; }

    public bool IsTerminated => _state == Terminated;

    /// <summary>User messages are processed only while the actor runs and its system is not terminating.</summary>
    public bool CanProcessUserMessages => _state == Running && !System.IsTerminating;

    IActorRef IActorContext.Self => Self;

    public IActorRef Sender => _sender ?? System.DeadLetters;

    public IActorRef? Parent => ParentCell?.Self;

    public IScheduler Scheduler => System.Scheduler;

    public ITimerScheduler Timers => _timers ??= new TimerScheduler(this);

    public IEnumerable<IActorRef> Children
    {
        get
        {
            lock (_childLock)
            {
                var children = new IActorRef[_childrenByName.Count];
                var i = 0;
                foreach (var child in _childrenByName.Values)
                {
                    children[i++] = child.Self;
                }

                return children;
            }
        }
    }

    public IActorRef ActorOf(Props props, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (name is not null)
        {
            ValidateName(name);
        }

        ActorCell child;
        lock (_childLock)
        {
            if (_state != Running || System.IsTerminating)
            {
                throw new InvalidOperationException(
                    $"Cannot create actor {name ?? props.ActorType.Name} under {Path}: it is stopping or its actor system is terminating.");
            }

            name ??= "$" + (++_nextChildId).ToString(global::System.Globalization.CultureInfo.InvariantCulture);
            if (_childrenByName.ContainsKey(name))
            {
                throw new InvalidActorNameException($"Actor name [{name}] is not unique under [{Path}].");
            }

            child = new ActorCell(System, this, props, name, Path + "/" + name);
            _childrenByName.Add(name, child);
            _unterminatedChildren.Add(child);
        }

        child.Mailbox.PostSystem(Create.Instance);
        return child.Self;
    }

    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is LocalActorRef local)
        {
            local.Cell.RequestStop();
        }
    }

    public void Become(Action<object> receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        _behaviour = receive;
    }

    public void Unbecome() => _behaviour = null;

    /// <summary>
    /// Frees the name at once (so a new child may take it) and lets the actor finish its current message
    /// before it stops; messages still in its mailbox become dead letters.
    /// </summary>
    public void RequestStop()
    {
        if (ParentCell is { } parent)
        {
            lock (parent._childLock)
            {
                if (parent._childrenByName.TryGetValue(Name, out var registered) && ReferenceEquals(registered, this))
                {
                    parent._childrenByName.Remove(Name);
                }
            }
        }

        Mailbox.PostSystem(Terminate.Instance);
    }

    public void Post(object message, IActorRef? sender)
    {
        if (_state == Terminated || System.IsTerminating)
        {
            System.DeadLetters.Publish(new DeadLetter(message, sender, Self));
            return;
        }

        Mailbox.Post(new Envelope(message, sender));
    }

    public void DeadLetter(in Envelope envelope) =>
        System.DeadLetters.Publish(new DeadLetter(envelope.Message, envelope.Sender, Self));

    public void Unhandled(object message) =>
        System.DeadLetters.Publish(new DeadLetter(message, _sender, Self));

    public void Invoke(in Envelope envelope)
    {
        var actor = _actor;
        if (actor is null || !CanProcessUserMessages)
        {
            DeadLetter(envelope);
            return;
        }

        _sender = envelope.Sender;
        try
        {
            var message = envelope.Message;
            if (message is PoisonPill)
            {
                RequestStop();
                return;
            }

            if (message is TimerScheduler.TimerMessage timerMessage)
            {
                if (_timers is null || !_timers.Accept(timerMessage))
                {
                    return;
                }

                message = timerMessage.Message;
            }

            if (_behaviour is { } behaviour)
            {
                behaviour(message);
            }
            else
            {
                actor.InvokeReceive(message);
            }
        }
        catch (Exception ex)
        {
            HandleFailure(ex, envelope.Message);
        }
        finally
        {
            _sender = null;
        }
    }

    public void SystemInvoke(SystemMessage message)
    {
        switch (message)
        {
            case Create:
                if (_state == Running && !System.IsTerminating)
                {
                    StartInstance(restartReason: null);
                }

                break;
            case Terminate:
                BeginTermination();
                break;
            case ChildTerminated terminated:
                OnChildTerminated(terminated.Child);
                break;
        }
    }

    private static void ValidateName(string name)
    {
        if (name.Length == 0 || name[0] == '$' || name.AsSpan().IndexOfAny("/ \t\r\n#") >= 0)
        {
            throw new InvalidActorNameException(
                $"Invalid actor name [{name}]: it must be non-empty, must not start with '$' and must not contain '/', '#' or whitespace.");
        }
    }

    private void StartInstance(Exception? restartReason)
    {
        try
        {
            var actor = CreateInstance();
            _actor = actor;
            if (restartReason is null)
            {
                actor.InvokePreStart();
            }
            else
            {
                actor.InvokePostRestart(restartReason);
            }
        }
        catch (Exception ex)
        {
            _actor = null;
            System.Log.Error(ex, "Actor {ActorPath} failed to start", Path);
            if (System.Settings.FailurePolicy == FailurePolicy.StopSystem)
            {
                System.Fail(ex, Path);
            }
            else
            {
                BeginTermination();
            }
        }
    }

    private ActorBase CreateInstance()
    {
        var previous = t_constructing;
        t_constructing = this;
        ActorBase actor;
        try
        {
            actor = _props!.Factory();
        }
        finally
        {
            t_constructing = previous;
        }

        if (actor is null || !ReferenceEquals(actor.Cell, this))
        {
            throw new InvalidOperationException(
                $"The Props factory of {Path} must create a new {_props.ActorType.Name} each time it is called.");
        }

        return actor;
    }

    private void HandleFailure(Exception ex, object message)
    {
        if (System.Settings.FailurePolicy == FailurePolicy.StopSystem)
        {
            System.Log.Error(ex, "Actor {ActorPath} failed while processing {MessageType}", Path, message.GetType().Name);
            System.Fail(ex, Path);
            return;
        }

        System.Log.Error(
            ex, "Actor {ActorPath} failed while processing {MessageType}; restarting it with fresh state", Path, message.GetType().Name);
        var failed = _actor!;
        _timers?.CancelAll();
        _behaviour = null;
        try
        {
            failed.InvokePreRestart(ex, message);
        }
        catch (Exception preRestartFailure)
        {
            System.Log.Error(preRestartFailure, "Actor {ActorPath} failed in PreRestart", Path);
        }

        _actor = null;
        StartInstance(ex);
    }

    private void BeginTermination()
    {
        if (_state != Running)
        {
            return;
        }

        _state = Stopping;
        _timers?.CancelAll();
        ActorCell[] children;
        lock (_childLock)
        {
            _childrenByName.Clear();
            children = [.. _unterminatedChildren];
        }

        foreach (var child in children)
        {
            child.Mailbox.PostSystem(Terminate.Instance);
        }

        if (children.Length == 0)
        {
            FinishTermination();
        }
    }

    private void OnChildTerminated(ActorCell child)
    {
        bool finish;
        lock (_childLock)
        {
            _unterminatedChildren.Remove(child);
            if (_childrenByName.TryGetValue(child.Name, out var registered) && ReferenceEquals(registered, child))
            {
                _childrenByName.Remove(child.Name);
            }

            finish = _state == Stopping && _unterminatedChildren.Count == 0;
        }

        if (finish)
        {
            FinishTermination();
        }
    }

    private void FinishTermination()
    {
        var actor = _actor;
        _actor = null;
        _behaviour = null;
        if (actor is not null)
        {
            try
            {
                actor.InvokePostStop();
            }
            catch (Exception ex)
            {
                System.Log.Error(ex, "Actor {ActorPath} failed in PostStop", Path);
            }
        }

        _state = Terminated;
        if (System.Log.IsEnabled(LogEventLevel.Debug))
        {
            System.Log.Debug("Actor {ActorPath} stopped", Path);
        }

        if (ParentCell is { } parent)
        {
            parent.Mailbox.PostSystem(new ChildTerminated(this));
        }
        else
        {
            System.OnGuardianTerminated();
        }
    }
}
