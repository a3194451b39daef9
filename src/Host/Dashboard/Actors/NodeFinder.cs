using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Totem.Host.Control;

namespace Totem.Host.Dashboard.Actors;

/// <summary>
/// Keeps one <see cref="NodeWatcher"/> per node: the given list, plus every address the DNS name resolves to
/// (re-resolved each interval, as the nodes' own discovery does, so compose --scale adds and removes nodes). A
/// node that DNS stops returning is kept for <see cref="ForgetAfter"/> first, so the page shows it gone before it
/// drops it. A failed resolution changes nothing.
/// </summary>
public sealed class NodeFinder : UntypedActor, IWithTimers
{
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromSeconds(30);
    private readonly DashboardOptions _options;
    private readonly PageFeed _feed;
    private readonly Func<NodeTarget, ControlClient> _controlFor;
    private readonly Dictionary<NodeTarget, IActorRef> _watchers = new();
    private readonly Dictionary<NodeTarget, DateTimeOffset> _missingSince = new();

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(DashboardOptions options, PageFeed feed, Func<NodeTarget, ControlClient> controlFor) =>
        Akka.Actor.Props.Create(() => new NodeFinder(options, feed, controlFor));

    public NodeFinder(DashboardOptions options, PageFeed feed, Func<NodeTarget, ControlClient> controlFor)
    {
        _options = options;
        _feed = feed;
        _controlFor = controlFor;
    }

    private sealed record Resolve;
    private sealed record Resolved(IReadOnlyList<IPAddress> Addresses);
    private sealed record ResolveFailed(string Reason);

    protected override void PreStart()
    {
        foreach (var target in _options.Nodes) Add(target);
        if (_options.DnsName is not null)
        {
            Self.Tell(new Resolve());
            Timers.StartPeriodicTimer("resolve", new Resolve(), _options.DiscoveryInterval);
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Resolve:
                ResolveAsync(_options.DnsName!).PipeTo(Self);
                break;
            case Resolved resolved:
                var found = resolved.Addresses.Select(a => new NodeTarget(a.ToString(), _options.ControlPort)).ToHashSet();
                foreach (var target in found)
                {
                    _missingSince.Remove(target);
                    Add(target);
                }
                var now = DateTimeOffset.UtcNow;
                foreach (var target in _watchers.Keys.Where(t => !found.Contains(t) && !_options.Nodes.Contains(t)).ToList())
                {
                    if (!_missingSince.TryGetValue(target, out var since)) _missingSince[target] = since = now;
                    if (now - since < ForgetAfter) continue;
                    Context.Stop(_watchers[target]);
                    _watchers.Remove(target);
                    _missingSince.Remove(target);
                    _feed.Forget(target);
                }
                break;
            case ResolveFailed:
                // Compose's DNS answers nothing while every replica is down: the watchers keep what they know.
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Add(NodeTarget target)
    {
        if (_watchers.ContainsKey(target)) return;
        _watchers[target] = Context.ActorOf(NodeWatcher.Props(target, _options.ObserverPort, _feed, _controlFor(target), _options.RetryEvery));
    }

    private static async Task<object> ResolveAsync(string name)
    {
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(name, AddressFamily.InterNetwork).ConfigureAwait(false);
            return new Resolved(addresses.Distinct().ToList());
        }
        catch (SocketException ex)
        {
            return new ResolveFailed($"{name}: {ex.Message}");
        }
    }
}
