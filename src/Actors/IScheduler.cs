namespace Totem.Actors;

/// <summary>Tells messages later, on the actor system's clock (real or virtual).</summary>
public interface IScheduler
{
    DateTimeOffset Now { get; }

    ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender);

    ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender);
}
