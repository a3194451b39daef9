namespace Totem.Actors.Cells;

/// <summary>Lifecycle messages; a mailbox processes them before any user message.</summary>
internal abstract class SystemMessage
{
}

internal sealed class Create : SystemMessage
{
    public static readonly Create Instance = new();

    public override string ToString() => "<Create>";
}

internal sealed class Terminate : SystemMessage
{
    public static readonly Terminate Instance = new();

    public override string ToString() => "<Terminate>";
}

internal sealed class ChildTerminated(ActorCell child) : SystemMessage
{
    public ActorCell Child { get; } = child;

    public override string ToString() => $"<ChildTerminated {Child.Path}>";
}
