namespace Totem.Actors.Dispatch;

/// <summary>A non-actor event, e.g. the simulated network handing a datagram to a node.</summary>
internal sealed class ActionEvent(Action action, string? label) : SimulationEvent
{
    public override void Fire(long token) => action();

    public override string Describe() => label ?? "action";
}
