namespace Totem.Actors;

/// <summary>What an actor system does when an actor throws while processing a message.</summary>
public enum FailurePolicy
{
    /// <summary>Log, drop the failing message and restart the actor with fresh state (Akka's default).</summary>
    Restart,

    /// <summary>Node-level policy: any actor failure terminates the whole system.</summary>
    StopSystem,
}
