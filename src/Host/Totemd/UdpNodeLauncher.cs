using Totem.Host.Control.Observer;
using Totem.Nodes;
using Totem.Nodes.Control;
using Totem.Protocol.Config;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd;

/// <summary>Starts the real node: <see cref="TotemNode.StartUdp"/> with options derived from the loaded config.</summary>
public sealed class UdpNodeLauncher : INodeLauncher
{
    public Task<IRunningNode> StartAsync(NodeLaunch launch, Serilog.ILogger log, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (launch.Config.ConfiguredRingSize is null)
            log.ForContext(LogSubsystem.Property, LogSubsystem.Main).Warning(
                "No nodelist and no quorum.expected_votes: the token is sized for the {Count} processors found at start, so nodes started at other moments may run other timeouts; set quorum.expected_votes",
                launch.Peers.Snapshot.Count);
        var store = launch.StateDir is { } dir ? new RingSeqStore(dir, launch.LocalNode) : null;
        var options = OptionsFor(launch) with { InitialRingSeq = store?.Load() ?? 0 };
        if (options.Crypto is { } crypto && launch.StateDir is { } state)
            options = options with { Crypto = crypto with { BootEpoch = new BootEpochStore(state, launch.LocalNode).Next(TimeProvider.System) } };
        // The replicated store keeps its copy in the state directory; without one it lives in memory and a restart catches up from the ring.
        var snapshot = launch.StateDir is { } storeDir ? new StoreSnapshotFile(storeDir, launch.LocalNode) : null;
        var hosting = new StoreHosting(snapshot?.Load(), snapshot is null ? null : snapshot.Save);
        var node = TotemNode.StartUdp(options, launch.RingEndpoint, launch.Peers, log, persistRingSeq: store is null ? null : store.Save,
            akkaConfig: launch.AkkaConfig, system: launch.System is { } ahead ? () => ahead.GetAwaiter().GetResult() : null, readConfig: launch.ReadConfig,
            store: hosting, redundantLinks: launch.RedundantLinks);
        if (launch.Observer)
        {
            node.StartObserver(ObserverPlane.SampleEvery);
            node.System.ActorOf(ConnectionDropRelay.Props(), "observer-connections");
        }
        return Task.FromResult<IRunningNode>(node);
    }

    /// <summary>On the thread pool: Akka's start (its HOCON, dispatchers, loggers, guardians) overlaps totemd's own.</summary>
    public Task<Akka.Actor.ActorSystem>? CreateSystemAhead(NodeId localNode, Akka.Configuration.Config? akkaConfig, Serilog.ILogger akkaLog) =>
        Task.Run(() => TotemNode.CreateSystem(localNode, akkaLog, akkaConfig));

    /// <summary>
    /// corosync sizes the token by the nodelist; with DNS discovery there is none, so quorum.expected_votes gives the
    /// size (<see cref="ClusterConfig.ConfiguredRingSize"/>), and only without it the ring size found at start.
    /// </summary>
    public static NodeOptions OptionsFor(NodeLaunch launch)
    {
        var config = launch.Config;
        var timeouts = config.Timeouts(Math.Max(1, launch.Peers.Snapshot.Count));
        return new NodeOptions(launch.LocalNode, config.Totem.ClusterName ?? "", timeouts, config.Quorum, config.Nodelist, config.Fencing)
        {
            ConfigKeys = RuntimeConfigKeys.From(config, timeouts),
            Config = config,
            LocalAddress = launch.RingEndpoint.Address.ToString(),
            Port = launch.RingEndpoint.Port,
            Transport = config.Totem.Transport,
            BlockUnlistedIps = config.Totem.BlockUnlistedIps,
            DeliveredLog = launch.DeliveredLog,
            SendQueue = launch.SendQueue,
            // Crypto none keeps clear datagrams; otherwise every datagram is sealed with keys from the authkey totemd loaded.
            Crypto = launch.Crypto.Authenticates ? new DatagramCrypto(launch.Crypto, launch.AuthKey) : null,
        };
    }
}
