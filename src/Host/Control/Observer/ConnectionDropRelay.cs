using Akka.Actor;
using Akka.Remote;
using Totem.Nodes.Actors;
using Totem.Nodes.Messages;

namespace Totem.Host.Control.Observer;

/// <summary>
/// Tells the node's observer publisher when a watcher's connection drops (Akka.Remote's DisassociatedEvent), so that
/// it forgets that watcher's subscriptions: the observer plane's death watch never declares a silent process dead
/// (<see cref="ObserverPlane.RemoteConfig"/>), and src/Nodes does not reference Akka.Remote.
/// </summary>
public sealed class ConnectionDropRelay : UntypedActor
{
    public static Props Props() => Akka.Actor.Props.Create<ConnectionDropRelay>();

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        if (message is DisassociatedEvent dropped)
            Context.ActorSelection($"/user/{ObserverPublisher.Name}").Tell(new ObserverConnectionDropped(dropped.RemoteAddress));
        else
            Unhandled(message);
    }
}
