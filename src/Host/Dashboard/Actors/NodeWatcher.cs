using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Remote;
using Totem.Host.Control;
using Totem.Host.Control.Api;
using Totem.Host.Control.Observer;
using Totem.Nodes.Messages;

namespace Totem.Host.Dashboard.Actors;

/// <summary>
/// Watches one node: asks its control API who it is (GET /v1/status, /v1/timeouts), finds its observer
/// (Identify on akka.tcp://node{id}@host:port/user/observer), subscribes and death-watches it, and hands what the
/// node sends to the page. A node that cannot be reached is tried again every second without holding anything
/// else up. "gone" is shown the moment the observer's connection drops (the process went away; Akka.Remote's
/// DisassociatedEvent), and the node is looked for again at once: the same process (its connection had only
/// dropped) or a restarted one is subscribed to again. A node that is subscribed but sends no sample for
/// <see cref="SilentAfter"/> is shown unreachable (paused, or cut off) until its samples come again. Death watch
/// reports the observer actor stopping; its failure detector is set not to declare a silent process dead
/// (ObserverPlane.RemoteConfig), because Akka.Remote would then quarantine that process for good and a paused node
/// would never be seen again. The ring's own verdict follows as the survivors' membership event.
/// </summary>
public sealed class NodeWatcher : UntypedActor, IWithTimers
{
    private const string RetryTimer = "retry";
    private const string SilenceTimer = "silence";
    /// <summary>Three sampling periods without a sample: the node is not answering.</summary>
    public static readonly TimeSpan SilentAfter = ObserverPlane.SampleEvery * 3;
    private static readonly TimeSpan IdentifyWithin = TimeSpan.FromSeconds(2);
    private readonly NodeTarget _target;
    private readonly int _observerPort;
    private readonly PageFeed _feed;
    private readonly ControlClient _control;
    private readonly TimeSpan _retry;
    private IActorRef? _publisher;
    private Address? _remote;
    private uint? _node;
    private (uint Token, uint Consensus)? _timeouts;
    private long _attempt;
    private (string State, string Detail)? _shown;
    private DateTime _lastHeard;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeTarget target, int observerPort, PageFeed feed, ControlClient control, TimeSpan retry) =>
        Akka.Actor.Props.Create(() => new NodeWatcher(target, observerPort, feed, control, retry));

    public NodeWatcher(NodeTarget target, int observerPort, PageFeed feed, ControlClient control, TimeSpan retry)
    {
        _target = target;
        _observerPort = observerPort;
        _feed = feed;
        _control = control;
        _retry = retry;
    }

    private sealed record Connect;
    private sealed record Found(long Attempt, uint Node, IPEndPoint Observer, uint TokenMs, uint ConsensusMs);
    private sealed record NotFound(long Attempt, string Reason);
    private sealed record IdentifyTimedOut(long Attempt);
    private sealed record CheckSilence;

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        Self.Tell(new Connect());
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _publisher?.Tell(UnsubscribeObserver.Instance, Self);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Connect:
                Reach();
                break;
            case Found found when found.Attempt == _attempt:
                _node = found.Node;
                _timeouts = (found.TokenMs, found.ConsensusMs);
                Context.ActorSelection(ObserverPlane.PublisherPath(found.Node, found.Observer)).Tell(new Identify(found.Attempt), Self);
                Timers.StartSingleTimer(RetryTimer, new IdentifyTimedOut(found.Attempt), IdentifyWithin);
                break;
            case NotFound notFound when notFound.Attempt == _attempt:
                Show(LinkState.Unreachable, notFound.Reason);
                RetryLater();
                break;
            case IdentifyTimedOut timedOut when timedOut.Attempt == _attempt:
                Show(LinkState.Unreachable, $"its observer did not answer within {IdentifyWithin.TotalSeconds:0} s (is totemd's observer on? --observer, port {_observerPort})");
                RetryLater();
                break;
            case ActorIdentity identity when identity.MessageId is long attempt && attempt == _attempt:
                Timers.Cancel(RetryTimer);
                if (identity.Subject is not { } publisher)
                {
                    Show(LinkState.Unreachable, "the node runs no observer (/user/observer not found)");
                    RetryLater();
                    break;
                }
                _publisher = publisher;
                _remote = publisher.Path.Address;
                Context.Watch(publisher);
                publisher.Tell(SubscribeObserver.Instance, Self);
                Subscribed();
                _lastHeard = DateTime.UtcNow;
                Timers.StartPeriodicTimer(SilenceTimer, new CheckSilence(), ObserverPlane.SampleEvery);
                break;
            case RingSampleDto sample when Sender.Equals(_publisher):
                Heard();
                _feed.Sample(sample);
                break;
            case ObservedEventDto observed when Sender.Equals(_publisher):
                Heard();
                _feed.Event(observed);
                break;
            case CheckSilence when _publisher is not null && DateTime.UtcNow - _lastHeard > SilentAfter:
                Show(LinkState.Unreachable, $"subscribed, but no sample for over {SilentAfter.TotalSeconds:0} s: paused, or cut off");
                break;
            case DisassociatedEvent gone when _publisher is not null && gone.RemoteAddress.Equals(_remote):
                // The connection to its process dropped: what a killed process looks like at once. Look for it again:
                // a live process answers and is subscribed to anew, a restarted one is found by its control API.
                Show(LinkState.Gone, "process gone: the observer's connection dropped");
                Lost();
                break;
            case Terminated terminated when terminated.ActorRef.Equals(_publisher):
                Show(LinkState.Gone, terminated.AddressTerminated ? "process gone: death watch lost it" : "its observer stopped");
                Lost();
                break;
            case ActorIdentity or Found or NotFound or IdentifyTimedOut or DisassociatedEvent or Terminated or RingSampleDto or ObservedEventDto or CheckSilence:
                // From an earlier attempt, or another node's connection.
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Reach()
    {
        var attempt = ++_attempt;
        if (_shown is null) Show(LinkState.Connecting, $"asking its control API http://{_target}/v1/status");
        var target = _target;
        var observerPort = _observerPort;
        var control = _control;
        ReachAsync(attempt, target, observerPort, control).PipeTo(Self);
    }

    private static async Task<object> ReachAsync(long attempt, NodeTarget target, int observerPort, ControlClient control)
    {
        try
        {
            using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var status = await control.GetStatusAsync(budget.Token).ConfigureAwait(false);
            var timeouts = await control.GetTimeoutsAsync(budget.Token).ConfigureAwait(false);
            var address = IPAddress.TryParse(target.Host, out var ip) ? ip
                : (await Dns.GetHostAddressesAsync(target.Host, AddressFamily.InterNetwork, budget.Token).ConfigureAwait(false)).FirstOrDefault()
                  ?? throw new InvalidOperationException($"{target.Host} has no IPv4 address");
            return new Found(attempt, status.NodeId, new IPEndPoint(address, observerPort), timeouts.Timeouts.Token, timeouts.Timeouts.Consensus);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ControlApiException or SocketException or InvalidOperationException
                                   or System.Text.Json.JsonException)
        {
            return new NotFound(attempt, $"control API http://{target}: {(ex is OperationCanceledException ? "no answer within 2 s" : ex.Message)}");
        }
    }

    private void Subscribed() => Show(LinkState.Subscribed, $"subscribed to {_publisher!.Path}");

    private void Heard()
    {
        _lastHeard = DateTime.UtcNow;
        if (_shown?.State != LinkState.Subscribed) Subscribed();
    }

    private void Lost()
    {
        if (_publisher is { } publisher) Context.Unwatch(publisher);
        _publisher = null;
        _remote = null;
        Timers.Cancel(SilenceTimer);
        RetryLater();
    }

    private void RetryLater()
    {
        if (_publisher is null) Timers.StartSingleTimer(RetryTimer, new Connect(), _retry);
    }

    /// <summary>Tells the page of a change only: a node retried every second while down does not flood it.</summary>
    private void Show(string state, string detail)
    {
        // "gone" stays on the page until the node is subscribed again; the retries' reasons do not replace it.
        if (_shown is { State: LinkState.Gone } && state == LinkState.Unreachable) return;
        if (_shown == (state, detail)) return;
        _shown = (state, detail);
        _feed.Link(new NodeLinkDto(_target.ToString(), _node, state, DateTimeOffset.UtcNow, detail, _timeouts?.Token, _timeouts?.Consensus), _target);
    }
}
