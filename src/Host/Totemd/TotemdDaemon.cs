using System.Net;
using System.Net.NetworkInformation;
using Totem.Host.Control;
using Totem.Host.Control.Observer;
using Totem.Host.Totemd.ClientSocket;
using Totem.Host.Totemd.Api;
using Totem.Host.Totemd.Discovery;
using Serilog.Events;
using Totem.Host.Totemd.Logging;
using Totem.Host.Totemd.Settings;
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
    /// <summary>The start-up phases of this process; totemd's entry passes the one measured from the process start.</summary>
    public StartupPhases Phases { get; init; } = StartupPhases.ForCurrentProcess();

    /// <summary>Prints a configuration file's diagnostics; false, after the refusal line, when it may not be used.</summary>
    private async Task<bool> AcceptedAsync(IReadOnlyList<ConfigDiagnostic> diagnostics, bool valid, string path)
    {
        foreach (var d in diagnostics) await stderr.WriteLineAsync(d.ToString()).ConfigureAwait(false);
        if (valid) return true;
        await stderr.WriteLineAsync($"totemd: {path}: configuration refused, nothing started").ConfigureAwait(false);
        return false;
    }

    public async Task<int> RunAsync(CancellationToken stop)
    {
        var hocon = TotemdHocon.Load(options.AkkaConfigPath);
        Phases.Mark(StartupPhases.SettingsLoaded);
        if (!await AcceptedAsync(hocon.Diagnostics, hocon.IsValid, options.AkkaConfigPath ?? TotemdHocon.ReferenceName).ConfigureAwait(false)
            || hocon.Settings is not { } settings)
            return TotemdExitCodes.BadConfig;

        // The node's ActorSystem needs only these settings and the node id: with --nodeid it is created now,
        // in the background, while the cluster file is read, the log made, the peers resolved and the socket
        // bound. Its Akka lines wait for the log. Any refusal below stops it again: nothing has started then.
        var akkaLog = new DeferredLog();
        // With the observer on, the system needs the control address (maybe from the cluster file) for Akka.Remote: made later.
        var ahead = new AheadSystem(options.CheckOnly || Observed(settings) || options.NodeId is not { } early ? null
            : launcher?.CreateSystemAhead(new NodeId(early), hocon.Config, akkaLog.Logger), options.NodeId);
        try
        {
            return await RunAsync(hocon, settings, ahead, akkaLog, stop).ConfigureAwait(false);
        }
        finally
        {
            await ahead.StopUnusedAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The node's ActorSystem, created ahead of the node: this process's to stop, on every way out, until the
    /// node has started on it (a start that fails, e.g. on the ring socket, leaves it here).
    /// </summary>
    private sealed class AheadSystem(Task<Akka.Actor.ActorSystem>? system, uint? nodeId)
    {
        private bool _taken;

        public Task<Akka.Actor.ActorSystem>? System { get; private set; } = system;

        /// <summary>The system for node <paramref name="local"/>, when one was made for that id; one made for another id is stopped.</summary>
        public async Task<Task<Akka.Actor.ActorSystem>?> ForNodeAsync(NodeId local)
        {
            if (System is null) return null;
            if (nodeId != local.Value)
            {
                await StopUnusedAsync().ConfigureAwait(false);
                return null;
            }
            return System;
        }

        /// <summary>A system made once the identity was known, not ahead: this process's all the same until the node has started.</summary>
        public void Made(Task<Akka.Actor.ActorSystem>? system) => System = system;

        /// <summary>The node has started on the system: it stops it itself from now on.</summary>
        public void TakenByNode() => _taken = true;

        public async Task StopUnusedAsync()
        {
            if (_taken || System is not { } pending) return;
            System = null;
            try
            {
                var unused = await pending.ConfigureAwait(false);
                await unused.Terminate().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Its creation failed or it did not stop in time; totemd is exiting for another reason anyway.
            }
        }
    }

    private bool Observed(TotemdSettings settings) => options.Observer || settings.ObserverEnabled;

    private async Task<int> RunAsync(TotemdHoconResult hocon, TotemdSettings settings, AheadSystem ahead, DeferredLog akkaLog, CancellationToken stop)
    {
        var loaded = ConfigFile.Load(options.ConfigPath);
        Phases.Mark(StartupPhases.ConfigLoaded);
        if (!await AcceptedAsync(loaded.Diagnostics, loaded.IsValid, options.ConfigPath).ConfigureAwait(false)
            || loaded.Config is null)
            return TotemdExitCodes.BadConfig;
        var config = Effective(loaded.Config, settings);
        if (ClusterConfigValidator.DiscoveryIdentityProblem(config) is { } identity)
        {
            await stderr.WriteLineAsync($"totemd: {options.ConfigPath}: {identity}; nothing started").ConfigureAwait(false);
            return TotemdExitCodes.BadConfig;
        }

        var control = options.Control;
        if (control is null && !loaded.Config.Positions.ContainsKey("control.bind")) control = settings.Control;
        if (control is null)
        {
            control = ControlEndpoint.Parse(config.Control.Bind, out var problem);
            if (control is null)
            {
                await stderr.WriteLineAsync($"totemd: {options.ConfigPath}: control.bind: {problem}").ConfigureAwait(false);
                return TotemdExitCodes.BadConfig;
            }
        }
        var stateDir = options.StateDir ?? settings.StateDir;

        // Before anything starts, as corosync reads the key in totem_config_keyread at start-up: a node whose key
        // is unusable must not join without it, and must not run unauthenticated while the file asks for crypto.
        var ringKey = RingKey.Load(config, settings.KeyFile, out var keyProblem);
        if (ringKey is null)
        {
            await stderr.WriteLineAsync($"totemd: {options.ConfigPath}: {keyProblem}; nothing started").ConfigureAwait(false);
            return TotemdExitCodes.BadConfig;
        }

        var (logFile, level) = LoggingFor(loaded.Config, settings);
        await using var logging = CorosyncLog.Create(logFile, level, CorosyncLog.FormatterFor(settings.LogFormat == LogFormat.Json), Phases);
        var log = logging.Logger;
        akkaLog.Attach(log);
        Phases.Mark(StartupPhases.LogReady);
        var main = log.ForContext(LogSubsystem.Property, LogSubsystem.Main);
        main.Information("Corosync Cluster Engine (totem, .NET) starting: cluster {Cluster}, config {Config}", config.Totem.ClusterName ?? "(unnamed)", config.FileName);
        if (options.AkkaConfigPath is not null) main.Information("totemd settings from {AkkaConfig} over the built-in reference.conf", options.AkkaConfigPath);
        if (ringKey.Crypto.Authenticates)
            main.Information("Ring datagrams: {Crypto:l}", ringKey.Describe());
        else
            // Loud on purpose: the issue's admin who forgot secauth believes the ring is protected.
            main.Warning("The ring is NOT authenticated (crypto_cipher none, crypto_hash none): anyone who can send a datagram " +
                "to the ring port can forge tokens, joins and leaves. Set secauth: on (transport knet) and install an authkey " +
                "(totemctl keygen) on every node.");

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
        IReadOnlyList<UdpLink> redundantLinks;
        IReadOnlyList<DiscoveredLink> discoveredLinks;
        try
        {
            redundantLinks = await RedundantLinkPeers.ResolveAsync(config, local.NodeId, resolver, stop).ConfigureAwait(false);
            // A ring found by DNS: its redundant links come from discovery.ringN_dns_name (the nodelist's are empty then).
            discoveredLinks = await DiscoveredLinks.ResolveAsync(config, local.NodeId, resolver, log,
                problem => main.Warning("Waiting for peers from discovery: {Reason}", problem), stop).ConfigureAwait(false);
            if (discoveredLinks.Count > 0)
                redundantLinks = [.. discoveredLinks.Select(d => new UdpLink(d.LinkNumber, d.BindTo, d.Peers))];
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or System.Net.Sockets.SocketException)
        {
            await stderr.WriteLineAsync($"totemd: {options.ConfigPath}: {ex.Message}").ConfigureAwait(false);
            return TotemdExitCodes.BadConfig;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return TotemdExitCodes.Ok;
        }
        Phases.Mark(StartupPhases.IdentityKnown);
        main.Information("This node is {NodeId} ({How}), ring address {Ring}, peers from {Source}", local.NodeId, local.How, ringEndpoint, source.Describe());

        if (options.CheckOnly)
        {
            await stdout.WriteLineAsync($"configuration ok: node {local.NodeId} on {ringEndpoint}" +
                string.Concat(redundantLinks.Select(l => $", link {l.LinkNumber} on {l.BindTo}")) + $", control API on {control}, " +
                $"fencing {config.Fencing.Mode.ToString().ToLowerInvariant()} after {config.Fencing.TimeoutMs} ms, " +
                $"{initial.Count} processors ({string.Join(", ", initial.Select(p => $"{p.Key}={p.Value}"))}), " +
                ringKey.Describe()).ConfigureAwait(false);
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
        var discoveryEvery = TimeSpan.FromMilliseconds(Math.Max(100, config.Discovery.IntervalMs));
        var discoveryLoop = Task.WhenAll([discovery.RunAsync(discoveryEvery, discoveryStop.Token),
            .. discoveredLinks.Select(d => d.Discovery.RunAsync(discoveryEvery, discoveryStop.Token))]);

        IRunningNode node;
        try
        {
            if (settings.BootDelay > TimeSpan.Zero)
            {
                main.Information("Booting: waiting {Delay} ms before joining (totemd.fencing.boot-delay)", (long)settings.BootDelay.TotalMilliseconds);
                await Task.Delay(settings.BootDelay, stop).ConfigureAwait(false);
            }
            // Without --nodeid the id is known only now: the system is made while the socket is bound.
            var system = await ahead.ForNodeAsync(local.NodeId).ConfigureAwait(false);
            if (system is null)
            {
                var akka = hocon.Config;
                if (Observed(settings))
                {
                    // Bound like the control API; a wildcard control address is reached at the ring address.
                    var observer = new IPEndPoint(control.Address, options.ObserverPort ?? settings.ObserverPort);
                    var reachedAt = control.Address.Equals(IPAddress.Any) || control.Address.Equals(IPAddress.IPv6Any) ? local.BindAddress : control.Address;
                    akka = ObserverPlane.RemoteConfig(observer, reachedAt.ToString()).WithFallback(akka);
                    main.Warning("Observer plane (Akka.Remote, UNAUTHENTICATED, unencrypted) on {Observer}: watchers subscribe at {Path:l}; never expose it beyond a lab network",
                        observer, ObserverPlane.PublisherPath(local.NodeId.Value, new IPEndPoint(reachedAt, observer.Port)));
                }
                system = launcher.CreateSystemAhead(local.NodeId, akka, log);
                ahead.Made(system);
            }
            node = await launcher.StartAsync(new NodeLaunch(config, local.NodeId, ringEndpoint, peers) { StateDir = stateDir, Observer = Observed(settings), DeliveredLog = settings.DeliveredLog, SendQueue = settings.SendQueue, AkkaConfig = hocon.Config, System = system, Crypto = ringKey.Crypto, AuthKey = ringKey.Key, RedundantLinks = redundantLinks, ReadConfig = () => ConfigFile.Load(options.ConfigPath) }, log, stop).ConfigureAwait(false);
            ahead.TakenByNode();
            Phases.Mark(StartupPhases.ActorSystemReady);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return TotemdExitCodes.Ok;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            // Stopped here, not only on the way out: the log is still open for Akka's last lines, if any, and they
            // come before the line that reports the failure.
            await ahead.StopUnusedAsync().ConfigureAwait(false);
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
            Phases.Mark(StartupPhases.ControlApiListening);
            await using var clients = StartClientSocket(node, settings, stateDir, local.NodeId, log);
            if (clients is { Failed: true }) return TotemdExitCodes.Failed;
            // Ends with the node too (discoveryStop is cancelled on every way out), so an early exit does not wait for it.
            var phasesLine = LogPhasesAsync(main, logging, discoveryStop.Token);
            var trim = new IdleMemoryTrim(IdleMemoryTrim.DefaultInterval, main).RunAsync(discoveryStop.Token);

            var signalled = Task.Delay(Timeout.Infinite, stop);
            var first = await Task.WhenAny(node.Exited, signalled).ConfigureAwait(false);
            NodeExit exit;
            if (first == signalled)
            {
                main.Information("Signal received: leaving the ring");
                using var leaveBudget = new CancellationTokenSource(settings.LeaveTimeout);
                try
                {
                    exit = await node.LeaveAndStopAsync(leaveBudget.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    exit = new NodeExit(NodeExitReason.Stopped, $"leave did not finish within {settings.LeaveTimeout.TotalSeconds:0.#} s", DateTimeOffset.UtcNow);
                }
            }
            else
            {
                exit = await node.Exited.ConfigureAwait(false);
            }

            discoveryStop.Cancel();
            await discoveryLoop.ConfigureAwait(false);
            await phasesLine.ConfigureAwait(false);
            await trim.ConfigureAwait(false);
            await web.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await web.DisposeAsync().ConfigureAwait(false);

            var code = ExitCodeFor(exit);
            // The reason goes in as text: ":l" on an enum makes Enum.ToString throw inside Serilog, which drops the line.
            main.Information("Corosync Cluster Engine exiting with status {Code}: {Reason:l} ({Detail:l})", code, exit.Reason.ToString(), exit.Detail);
            return code;
        }
    }

    /// <summary>
    /// The local client socket where --client-socket or totemd.client.socket put it, else in its default place. An
    /// explicit path that cannot be served stops the node (the admin asked for it); the default place that cannot be
    /// served (/run/totem not writable, another node on the machine has it) is a warning and the node runs without it.
    /// </summary>
    private ClientSocketHandle? StartClientSocket(IRunningNode node, TotemdSettings settings, string? stateDir, NodeId nodeId, Serilog.ILogger log)
    {
        var configured = options.ClientSocket ?? settings.ClientSocket;
        var path = TotemdSettings.ClientSocketPath(configured, stateDir, nodeId.Value);
        var main = log.ForContext(LogSubsystem.Property, LogSubsystem.Main);
        if (path is null)
        {
            main.Information("Client socket off (totemd.client.socket = off)");
            return null;
        }
        try
        {
            var server = ClientSocketServer.Bind(node, path, new ClientLimits(settings.ClientMaxInflightBytes, settings.ClientMaxClients), log);
            server.Start();
            return new ClientSocketHandle(server, Failed: false);
        }
        catch (IOException ex) when (configured is null)
        {
            main.Warning("No client socket: {Reason}; set totemd.client.socket or --client-socket to serve one", ex.Message);
            return null;
        }
        catch (IOException ex)
        {
            main.Fatal("Cannot serve the client socket: {Reason}", ex.Message);
            return new ClientSocketHandle(null, Failed: true);
        }
    }

    /// <summary>The client socket's server while the node runs (none when it failed), disposed on the way out.</summary>
    private sealed record ClientSocketHandle(ClientSocketServer? Server, bool Failed) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Server?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>
    /// The cluster file with totemd's HOCON defaults filled in where the file is silent: a key the
    /// file sets (it is in <see cref="ClusterConfig.Positions"/>) wins over the HOCON.
    /// </summary>
    public static ClusterConfig Effective(ClusterConfig config, TotemdSettings settings)
    {
        bool Set(string key) => config.Positions.ContainsKey(key);
        var fencing = new FencingSettings(
            Set("fencing.mode") ? config.Fencing.Mode : settings.FencingMode,
            Set("fencing.timeout") ? config.Fencing.TimeoutMs : (uint)Math.Clamp(settings.FencingTimeout.TotalMilliseconds, 1, uint.MaxValue));
        var discovery = config.Discovery with
        {
            IntervalMs = Set("discovery.interval") ? config.Discovery.IntervalMs : (uint)Math.Clamp(settings.DiscoveryInterval.TotalMilliseconds, 1, uint.MaxValue),
            NodeIdSource = Set("discovery.nodeid_source") ? config.Discovery.NodeIdSource : settings.NodeIdSource,
        };
        return config with { Fencing = fencing, Discovery = discovery };
    }

    /// <summary>The log file and level: logging.to_logfile/logfile and logging.debug of the cluster file when set, else the HOCON's.</summary>
    public static (string? File, LogEventLevel Level) LoggingFor(ClusterConfig config, TotemdSettings settings)
    {
        var file = config.Positions.ContainsKey("logging.to_logfile") || config.Positions.ContainsKey("logging.logfile")
            ? (config.Logging.ToLogfile ? config.Logging.Logfile : null)
            : settings.LogFile;
        var level = config.Positions.ContainsKey("logging.debug")
            ? config.Logging.Debug switch { LogDebug.Off => LogEventLevel.Information, LogDebug.On => LogEventLevel.Debug, _ => LogEventLevel.Verbose }
            : settings.LogLevel switch { LogLevelSetting.Info => LogEventLevel.Information, LogLevelSetting.Debug => LogEventLevel.Debug, _ => LogEventLevel.Verbose };
        return (file, level);
    }

    /// <summary>
    /// Ends the debug-level observation once the first ring has formed (its debug line "first join sent" is in), then
    /// logs the start-up phases as one line once the node is quorate.
    /// </summary>
    private async Task LogPhasesAsync(Serilog.ILogger main, CorosyncLog.Created logging, CancellationToken stop)
    {
        var formed = await Task.WhenAny(Phases.RingFormed, Task.Delay(PhasesWait, stop)).ConfigureAwait(false) == Phases.RingFormed;
        logging.EndObservation();
        var quorate = formed && await Task.WhenAny(Phases.Completed, Task.Delay(PhasesWait, stop)).ConfigureAwait(false) == Phases.Completed;
        if (quorate) main.Information("{Line:l}", Phases.Line());
        else if (!stop.IsCancellationRequested)
            main.Warning("{Line:l} ({What:l} within {Seconds} s)", Phases.Line(), formed ? "not quorate" : "no ring formed", PhasesWait.TotalSeconds);
    }

    /// <summary>A node forms its ring of one within a few ms of start, and is quorate once half the votes have met; past this something is wrong.</summary>
    private static readonly TimeSpan PhasesWait = TimeSpan.FromSeconds(60);

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

    /// <summary>
    /// This machine's addresses, read when first asked: with --nodeid or --bind the selector never asks,
    /// and enumerating the interfaces costs start-up time (System.Net.NetworkInformation) for nothing.
    /// </summary>
    private static IReadOnlyCollection<IPAddress> LocalAddresses() => new LazyAddresses();

    private sealed class LazyAddresses : IReadOnlyCollection<IPAddress>
    {
        private readonly Lazy<HashSet<IPAddress>> _addresses = new(() =>
            NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .ToHashSet());

        public int Count => _addresses.Value.Count;

        public IEnumerator<IPAddress> GetEnumerator() => _addresses.Value.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
