using Serilog.Events;
using Totem.Actors.Cells;

namespace Totem.Actors;

/// <summary>
/// Where undeliverable messages go. Counts them, logs each at debug level and raises <see cref="Published"/>
/// (on the thread that dropped the message: handlers must be quick and thread-safe).
/// </summary>
public sealed class DeadLetterActorRef : IInternalActorRef
{
    private long _count;

    internal DeadLetterActorRef(ActorSystem system)
    {
        System = system;
        Path = system.RootAddress + "/deadLetters";
    }

    public event Action<DeadLetter>? Published;

    public string Path { get; }

    public long Count => Interlocked.Read(ref _count);

    public ActorSystem System { get; }

    public void Tell(object message, IActorRef? sender = null)
    {
        if (message is not null)
        {
            Publish(message as DeadLetter ?? new DeadLetter(message, sender, this));
        }
    }

    public override string ToString() => Path;

    internal void Publish(DeadLetter deadLetter)
    {
        var count = Interlocked.Increment(ref _count);
        var log = System.Log;
        if (log.IsEnabled(LogEventLevel.Debug))
        {
            log.Debug(
                "Message [{MessageType}] from {Sender} to {Recipient} was not delivered. [{DeadLetterCount}] dead letters encountered.",
                deadLetter.Message.GetType().Name,
                deadLetter.Sender?.Path ?? "NoSender",
                deadLetter.Recipient.Path,
                count);
        }

        var handlers = Published;
        if (handlers is null)
        {
            return;
        }

        try
        {
            handlers(deadLetter);
        }
        catch (Exception ex)
        {
            log.Error(ex, "A dead letter subscriber of actor system {ActorSystem} failed", System.Name);
        }
    }
}
