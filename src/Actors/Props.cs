namespace Totem.Actors;

/// <summary>How to create an actor. The factory runs again on every restart, so a restart means fresh state.</summary>
public sealed class Props
{
    private Props(Func<ActorBase> factory, Type actorType)
    {
        Factory = factory;
        ActorType = actorType;
    }

    public Type ActorType { get; }

    internal Func<ActorBase> Factory { get; }

    public static Props Create<T>(Func<T> factory)
        where T : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(factory, typeof(T));
    }

    public override string ToString() => $"Props({ActorType.Name})";
}
