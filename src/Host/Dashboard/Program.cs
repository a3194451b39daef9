using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Totem.Host.Control;
using Totem.Host.Control.Observer;
using Totem.Host.Dashboard;
using Totem.Host.Dashboard.Actors;
using Totem.Host.Dashboard.Web;

using var signals = new ShutdownSignals();
return await DashboardCommand.Build(RunAsync).Parse(args).InvokeAsync(cancellationToken: signals.Token).ConfigureAwait(false);

static async Task<int> RunAsync(DashboardOptions options, string? remoteHost, CancellationToken stop)
{
    var wildcard = options.Listen.Address.Equals(IPAddress.Any) || options.Listen.Address.Equals(IPAddress.IPv6Any);
    // The nodes answer the dashboard's Akka.Remote address: on the page's address (any free port), named as they reach it.
    var remote = new IPEndPoint(options.Listen.Address, 0);
    var reachedAt = remoteHost ?? (wildcard ? IPAddress.Loopback.ToString() : options.Listen.Address.ToString());
    var config = ObserverPlane.RemoteConfig(remote, reachedAt).WithFallback(Dashboard.Settings);
    using var system = ActorSystem.Create("dashboard", config);
    var feed = new PageFeed();
    var clients = new System.Collections.Concurrent.ConcurrentDictionary<NodeTarget, ControlClient>();
    ControlClient ControlFor(NodeTarget target) => clients.GetOrAdd(target, t =>
        new ControlClient(new HttpClient { BaseAddress = new Uri($"http://{t}/"), Timeout = TimeSpan.FromSeconds(3) }));
    system.ActorOf(NodeFinder.Props(options, feed, ControlFor), "nodes");

    await using var web = DashboardWeb.Build(options, feed, ControlFor);
    try
    {
        await web.StartAsync(stop).ConfigureAwait(false);
    }
    catch (IOException ex)
    {
        await Console.Error.WriteLineAsync($"totem-dashboard: cannot serve the page on {options.Listen}: {ex.Message}").ConfigureAwait(false);
        return 1;
    }
    var sources = string.Join(", ", options.Nodes.Select(n => n.ToString()).Concat(options.DnsName is { } d ? [$"dns {d}:{options.ControlPort}"] : []));
    Console.WriteLine($"totem-dashboard: page on http://{options.Listen}/, watching {sources} (observer port {options.ObserverPort}), Akka.Remote {((ExtendedActorSystem)system).Provider.DefaultAddress}");
    try
    {
        await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
    }
    catch (OperationCanceledException)
    {
        // SIGTERM or Ctrl-C.
    }
    await web.StopAsync(CancellationToken.None).ConfigureAwait(false);
    await system.Terminate().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    return 0;
}
