namespace Totem.Actors;

/// <summary>An address of an actor. Telling never blocks and never throws.</summary>
public interface IActorRef
{
    string Path { get; }

    void Tell(object message, IActorRef? sender = null);
}
