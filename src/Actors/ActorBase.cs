using Totem.Actors.Cells;

namespace Totem.Actors;

/// <summary>
/// An actor: state touched by one message at a time. Create it only through <see cref="Props"/> and ActorOf;
/// the constructor may already use <see cref="Self"/>, <see cref="Context"/> and <see cref="Timers"/>.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    protected ActorBase()
    {
        _cell = ActorCell.Constructing
            ?? throw new InvalidOperationException(
                $"{GetType().Name} must be created by an actor system through Props.Create and ActorOf, not with new.");
    }

    protected IActorRef Self => _cell.Self;

    /// <summary>The sender of the message being processed; dead letters when it was told without a sender.</summary>
    protected IActorRef Sender => _cell.Sender;

    protected IActorContext Context => _cell;

    protected ITimerScheduler Timers => _cell.Timers;

    internal ActorCell Cell => _cell;

    protected abstract void OnReceive(object message);

    protected virtual void PreStart()
    {
    }

    protected virtual void PostStop()
    {
    }

    /// <summary>Called on the failed instance before it is replaced. By default stops the children and calls PostStop.</summary>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>Called on the fresh instance after a restart. By default calls PreStart.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>Records a message this actor does not handle as a dead letter.</summary>
    protected virtual void Unhandled(object message) => _cell.Unhandled(message);

    internal void InvokeReceive(object message) => OnReceive(message);

    internal void InvokePreStart() => PreStart();

    internal void InvokePostStop() => PostStop();

    internal void InvokePreRestart(Exception reason, object? message) => PreRestart(reason, message);

    internal void InvokePostRestart(Exception reason) => PostRestart(reason);
}
