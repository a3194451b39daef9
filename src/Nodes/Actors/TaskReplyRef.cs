using Akka.Actor;

namespace Totem.Nodes.Actors;

/// <summary>
/// The sender to give a command whose answer completes a task, as Ask does, but with the task completed in the step of
/// the actor that answers: Ask's own task is completed through a continuation one thread-pool hop later, outside the
/// simulation's step, so a simulated run could not depend on when a client sees its answer. The task's continuations
/// still run asynchronously (the caller's code never runs on an actor's thread). The first answer of type
/// <typeparamref name="T"/> counts; anything else is ignored.
/// </summary>
public sealed class TaskReplyRef<T> : MinimalActorRef
{
    private readonly TaskCompletionSource<T> _reply;

    public TaskReplyRef(ActorSystem system, TaskCompletionSource<T> reply)
    {
        ArgumentNullException.ThrowIfNull(system);
        _reply = reply;
        Provider = ((ExtendedActorSystem)system).Provider;
        Path = Provider.TempPath();
    }

    public override ActorPath Path { get; }

    public override IActorRefProvider Provider { get; }

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is T answer) _reply.TrySetResult(answer);
    }
}
