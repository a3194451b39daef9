using Totem.Nodes.Control;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Messages;

/// <summary>
/// A watcher (the dashboard, over Akka.Remote) asks the node's <see cref="Actors.ObserverPublisher"/> for its
/// events and samples from now on; the sender is the subscriber. Subscribing again is harmless.
/// </summary>
public sealed record SubscribeObserver
{
    public static readonly SubscribeObserver Instance = new();
    private SubscribeObserver() { }
}

/// <summary>The sender wants no more events (a stopped subscriber is dropped without it: the publisher watches it).</summary>
public sealed record UnsubscribeObserver
{
    public static readonly UnsubscribeObserver Instance = new();
    private UnsubscribeObserver() { }
}

/// <summary>
/// The remoting connection to a process dropped (Akka.Remote's DisassociatedEvent, relayed by the host: the node
/// runs no remoting of its own): the publisher forgets that process's subscribers. Local only, never sent.
/// </summary>
public sealed record ObserverConnectionDropped(Akka.Actor.Address Remote);

/// <summary>One of the node's cluster events (what GET /v1/events streams), sent to every subscriber.</summary>
public sealed record ObservedEvent(NodeId Node, ClusterEvent Event);

/// <summary>
/// The node's state sampled once a period (and at a subscription): the ring it is in, quorum and the watchdog
/// as <see cref="Status"/> has them, and the token's average rotation time and the retransmits so far.
/// </summary>
public sealed record RingSample(NodeStatusSnapshot Status, double TokenRotationMs, long Retransmits, long TokenLosses);
