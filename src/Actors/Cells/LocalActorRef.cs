namespace Totem.Actors.Cells;

internal sealed class LocalActorRef(ActorCell cell) : IInternalActorRef
{
    public ActorCell Cell { get; } = cell;

    public string Path => Cell.Path;

    public ActorSystem System => Cell.System;

    public void Tell(object message, IActorRef? sender = null)
    {
        if (message is not null)
        {
            Cell.Post(message, sender);
        }
    }

    public override string ToString() => Path;
}
