namespace Totem.Actors;

/// <summary>Akka's PoisonPill: stops the actor when processed, after the messages queued before it.</summary>
public sealed class PoisonPill
{
    public static readonly PoisonPill Instance = new();

    private PoisonPill()
    {
    }

    public override string ToString() => "PoisonPill";
}
