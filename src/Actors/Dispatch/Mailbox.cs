using Totem.Actors.Cells;

namespace Totem.Actors.Dispatch;

/// <summary>An actor's queues: system messages first, then user messages in arrival order.</summary>
internal abstract class Mailbox(ActorCell cell)
{
    protected ActorCell Cell { get; } = cell;

    public abstract void Post(in Envelope envelope);

    public abstract void PostSystem(SystemMessage message);
}
