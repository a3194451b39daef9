namespace Totem.Actors;

public static class ActorRefs
{
    /// <summary>Akka's NoSender: a null sender; replies to it go to dead letters.</summary>
    public static readonly IActorRef? NoSender = null;

    /// <summary>A reference that silently discards everything told to it.</summary>
    public static readonly IActorRef Nobody = new NobodyRef();

    private sealed class NobodyRef : IActorRef
    {
        public string Path => "totem://nobody";

        public void Tell(object message, IActorRef? sender = null)
        {
        }

        public override string ToString() => Path;
    }
}
