using Akka.Actor;

namespace Totem.Nodes;

/// <summary>The node's clock for code outside the actors (the board): the actor system's scheduler, virtual in a simulation.</summary>
public sealed class SchedulerClock(ITimeProvider scheduler) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => scheduler.Now;
}
