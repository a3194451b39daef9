using Akka.Actor;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>
/// The observer plane's end in the node (/user/observer): watchers register with <see cref="SubscribeObserver"/>
/// (over Akka.Remote, from the dashboard) and get every cluster event the node publishes, as it happens, and a
/// <see cref="RingSample"/> once a period. It reads the same event feed as GET /v1/events, so the two never
/// disagree, and it never sits on the token path: the feed is a bounded channel the board writes without waiting.
/// A watcher whose connection drops is forgotten (<see cref="ObserverConnectionDropped"/>; it subscribes again when it
/// reconnects): death watch's failure detector does not declare a silent watcher dead (ObserverPlane.RemoteConfig).
/// Never started in the simulator (DESIGN.md: Akka.Remote is the observer plane only).
/// </summary>
public sealed class ObserverPublisher : UntypedActor, IWithTimers
{
    /// <summary>The actor's name under /user: watchers address it as akka.tcp://node{id}@host:port/user/observer.</summary>
    public const string Name = "observer";

    private const string SampleTimer = "sample";
    private readonly NodeId _node;
    private readonly Func<CancellationToken, IAsyncEnumerable<ClusterEvent>> _events;
    private readonly Func<RingSample> _sample;
    private readonly TimeSpan _every;
    private readonly HashSet<IActorRef> _subscribers = new();
    private readonly CancellationTokenSource _stop = new();

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="events">The node's event feed from now on (NodeBoard.Subscribe); read until the actor stops.</param>
    /// <param name="sample">The node's state now; called on the actor's thread once per <paramref name="every"/>.</param>
    public static Props Props(NodeId node, Func<CancellationToken, IAsyncEnumerable<ClusterEvent>> events, Func<RingSample> sample, TimeSpan every) =>
        Akka.Actor.Props.Create(() => new ObserverPublisher(node, events, sample, every));

    public ObserverPublisher(NodeId node, Func<CancellationToken, IAsyncEnumerable<ClusterEvent>> events, Func<RingSample> sample, TimeSpan every)
    {
        if (every <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(every), every, "the sampling period must be positive");
        _node = node;
        _events = events;
        _sample = sample;
        _every = every;
    }

    protected override void PreStart()
    {
        var self = Self;
        var feed = _events(_stop.Token);
        // The feed is read off the actor and each event told to it: the actor alone touches the subscriber set.
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in feed.WithCancellation(_stop.Token).ConfigureAwait(false)) self.Tell(e);
            }
            catch (OperationCanceledException)
            {
                // The publisher stopped.
            }
        });
        Timers.StartPeriodicTimer(SampleTimer, SampleDue.Instance, _every);
    }

    protected override void PostStop()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ClusterEvent e:
                Broadcast(new ObservedEvent(_node, e));
                break;
            case SampleDue:
                if (_subscribers.Count > 0) Broadcast(_sample());
                break;
            case SubscribeObserver:
                if (_subscribers.Add(Sender)) Context.Watch(Sender);
                // The newcomer sees the node's state at once, not a period later.
                Sender.Tell(_sample());
                break;
            case UnsubscribeObserver:
                if (_subscribers.Remove(Sender)) Context.Unwatch(Sender);
                break;
            case Terminated gone:
                _subscribers.Remove(gone.ActorRef);
                break;
            case ObserverConnectionDropped dropped:
                foreach (var subscriber in _subscribers.Where(s => s.Path.Address.Equals(dropped.Remote)).ToList())
                {
                    _subscribers.Remove(subscriber);
                    Context.Unwatch(subscriber);
                }
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Broadcast(object message)
    {
        foreach (var subscriber in _subscribers) subscriber.Tell(message);
    }

    private sealed class SampleDue
    {
        public static readonly SampleDue Instance = new();
    }
}
