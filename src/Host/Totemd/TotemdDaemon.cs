using System.Net;
using System.Net.NetworkInformation;
using Totem.Host.Control;
using Totem.Host.Totemd.Api;
using Totem.Host.Totemd.Discovery;
using Totem.Host.Totemd.Logging;
using Totem.Nodes.Control;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd;

/// <summary>
/// One totemd process: load and check the config, find the peers and this node's identity, start the
/// node through the <see cref="INodeLauncher"/>, serve the control API, and stop by leaving the ring on
/// SIGTERM/SIGINT or exit with the fencing code when the watchdog fences the node.
/// </summary>
public sealed class TotemdDaemon(TotemdOptions options, INodeLauncher? launcher, IHostResolver resolver, TextWriter stdout, TextWriter stderr)
{
    private static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(5);

    public async Task<int> RunAsync(CancellationToken stop)
    {
        var loaded = ConfigFile.Load(options.ConfigPath);
        foreach (var d in loaded.Diagnostics) await stderr.WriteLineAsync(d.ToString()).ConfigureAwait(false);
        if (!loaded.IsValid || loaded.Config is null)
        {
            await stderr.WriteLineAsync($"totemd: {options.ConfigPath}: configuration refused, nothing started").ConfigureAwait(false);
            return TotemdExitCodes.BadConfig;
        }
        var config = loaded.Config;

        var control = options.Control;
        if (control is null)
        {
            control = ControlEndpoint.Parse(config.Control.Bind, out var problem);
            if (control is null)
            {
                await stderr.WriteLineAsync($"totemd: {options.ConfigPath}: control.bind: {problem}").ConfigureAwait(false);
                return TotemdExitCodes.BadConfig;
            }
        }

        var logFile = config.Logging.ToLogfile ? config.Logging.Logfile : null;
        await using var log = CorosyncLog.Create(logFile, config.Logging.Debug != LogDebug.Off);
        var main = log.ForContext(LogSubsystem.Property, LogSubsystem.Main);
        main.Information("Corosync Cluster Engine (totem, .NET) starting: cluster {Cluster}, config {Config}", config.Totem.ClusterName ?? "(unnamed)", config.FileName);

        var source = PeerSourceFor(config);
        var ringPort = RingPort(config);
        IReadOnlyDictionary<NodeId, IPEndPoint> initial;
        LocalIdentity local;
        try
        {
            (initial, local) = await FirstResolutionAsync(source, main, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is LocalNodeException or InvalidOperationException or ArgumentException)
        {
            await stderr.WriteLineAsync($"totemd: {options.ConfigPath}: {ex.Message}").ConfigureAwait(false);
            return TotemdExitCodes.BadConfig;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return TotemdExitCodes.Ok;
        }
        var ringEndpoint = new IPEndPoint(local.BindAddress, ringPort);
        main.Information("This node is {NodeId} ({How}), ring address {Ring}, peers from {Source}", local.NodeId, local.How, ringEndpoint, source.Describe());

        if (options.CheckOnly)
        {
            await stdout.WriteLineAsync($"configuration ok: node {local.NodeId} on {ringEndpoint}, control API on {control}, " +
                $"{initial.Count} processors ({string.Join(", ", initial.Select(p => $"{p.Key}={p.Value}"))})").ConfigureAwait(false);
            return TotemdExitCodes.Ok;
        }
        if (launcher is null)
        {
            main.Error("No node launcher given: only --check can run");
            return TotemdExitCodes.Failed;
        }

        var peers = new PeerTable();
        peers.Replace(initial);
        using var discoveryStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var discovery = new PeerDiscovery(source, peers, log);
        var discoveryLoop = discovery.RunAsync(TimeSpan.FromMilliseconds(Math.Max(100, config.Discovery.IntervalMs)), discoveryStop.Token);

        IRunningNode node;
        try
        {
            node = await launcher.StartAsync(new NodeLaunch(config, local.NodeId, ringEndpoint, peers) { StateDir = options.StateDir }, log, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return TotemdExitCodes.Ok;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            main.Fatal("Cannot start the node on {Ring}: {Reason}", ringEndpoint, ex.Message);
            return TotemdExitCodes.Failed;
        }

        await using (node.ConfigureAwait(false))
        {
            var web = ControlServer.Build(node, control, log);
            try
            {
                await web.StartAsync(stop).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                main.Fatal("Cannot serve the control API on {Control}: {Reason}", control, ex.Message);
                return TotemdExitCodes.Failed;
            }
            main.Information("Control API listening on {Url:l}", ControlServer.BoundAddress(web));

            var signalled = Task.Delay(Timeout.Infinite, stop);
            var first = await Task.WhenAny(node.Exited, signalled).ConfigureAwait(false);
            NodeExit exit;
            if (first == signalled)
            {
                main.Information("Signal received: leaving the ring");
                using var leaveBudget = new CancellationTokenSource(LeaveTimeout);
                try
                {
                    exit = await node.LeaveAndStopAsync(leaveBudget.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    exit = new NodeExit(NodeExitReason.Stopped, $"leave did not finish within {LeaveTimeout.TotalSeconds:0} s", DateTimeOffset.UtcNow);
                }
            }
            else
            {
                exit = await node.Exited.ConfigureAwait(false);
            }

            discoveryStop.Cancel();
            await discoveryLoop.ConfigureAwait(false);
            await web.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await web.DisposeAsync().ConfigureAwait(false);

            var code = ExitCodeFor(exit);
            // The reason goes in as text: ":l" on an enum makes Enum.ToString throw inside Serilog, which drops the line.
            main.Information("Corosync Cluster Engine exiting with status {Code}: {Reason:l} ({Detail:l})", code, exit.Reason.ToString(), exit.Detail);
            return code;
        }
    }

    public static int ExitCodeFor(NodeExit exit) => exit.Reason switch
    {
        NodeExitReason.Fenced => TotemdExitCodes.Fenced,
        NodeExitReason.Failed => TotemdExitCodes.Failed,
        _ => TotemdExitCodes.Ok,
    };

    /// <summary>udpu's port: linknumber 0's mcastport, else 5405; discovery mode uses discovery.port.</summary>
    public static int RingPort(ClusterConfig config) =>
        config.Discovery.DnsName is not null
            ? config.Discovery.Port
            : config.Totem.Interfaces.FirstOrDefault(i => i.LinkNumber == 0)?.McastPort ?? TotemInterface.DefaultPort;

    private IPeerSource PeerSourceFor(ClusterConfig config) =>
        config.Discovery.DnsName is { } name
            ? new DnsNamePeers(name, RingPort(config), config.Discovery.NodeIdSource, resolver)
            : new StaticNodelistPeers(config.Nodelist, RingPort(config), resolver);

    /// <summary>
    /// Waits for the first answer that contains this node: in compose the service name may not list a
    /// container until shortly after it started. A problem only the operator can fix ends the wait.
    /// </summary>
    private async Task<(IReadOnlyDictionary<NodeId, IPEndPoint>, LocalIdentity)> FirstResolutionAsync(IPeerSource source, Serilog.ILogger main, CancellationToken stop)
    {
        var localAddresses = LocalAddresses();
        string? lastProblem = null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var peers = await source.ResolveAsync(stop).ConfigureAwait(false);
                return (peers, LocalNodeSelector.Select(peers, options.NodeId, options.Bind, localAddresses));
            }
            catch (Exception ex) when (ex is not OperationCanceledException && (source is DnsNamePeers || ex is System.Net.Sockets.SocketException))
            {
                if (ex.Message != lastProblem) main.Warning("Waiting for peers from {Source}: {Reason}", source.Describe(), ex.Message);
                lastProblem = ex.Message;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 200 * (attempt + 1))), stop).ConfigureAwait(false);
        }
    }

    private static IReadOnlyCollection<IPAddress> LocalAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .ToHashSet();
}
