using Totem.Actors.Cells;

namespace Totem.Actors.Dispatch;

/// <summary>Decides where and when mailboxes run, and which clock the actor system sees.</summary>
internal abstract class Dispatcher
{
    public abstract TimeProvider TimeProvider { get; }

    public abstract Mailbox CreateMailbox(ActorCell cell);
}
