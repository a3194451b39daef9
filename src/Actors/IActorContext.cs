namespace Totem.Actors;

/// <summary>What an actor sees of its surroundings while it processes a message.</summary>
public interface IActorContext
{
    ActorSystem System { get; }

    IScheduler Scheduler { get; }

    IActorRef Self { get; }

    IActorRef Sender { get; }

    IActorRef? Parent { get; }

    IEnumerable<IActorRef> Children { get; }

    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Stops this actor or one of its children after the current message.</summary>
    void Stop(IActorRef child);

    /// <summary>Replaces the current behaviour: the next messages go to <paramref name="receive"/>.</summary>
    void Become(Action<object> receive);

    /// <summary>Returns to the actor's original behaviour (OnReceive).</summary>
    void Unbecome();
}
