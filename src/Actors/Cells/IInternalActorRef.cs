namespace Totem.Actors.Cells;

/// <summary>A reference that knows the actor system it belongs to (needed to create Ask's temporary reply ref).</summary>
internal interface IInternalActorRef : IActorRef
{
    ActorSystem System { get; }
}
