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
        var store = launch.StateDir is { } dir ? new RingSeqStore(dir, launch.LocalNode) : null;
        var options = OptionsFor(launch) with { InitialRingSeq = store?.Load() ?? 0 };
        if (options.Crypto is { } crypto && launch.StateDir is { } state)
            options = options with { Crypto = crypto with { BootEpoch = new BootEpochStore(state, launch.LocalNode).Next(TimeProvider.System) } };
        IRunningNode node = TotemNode.StartUdp(options, launch.RingEndpoint, launch.Peers, log, persistRingSeq: store is null ? null : store.Save,
            akkaConfig: launch.AkkaConfig, system: launch.System is { } ahead ? () => ahead.GetAwaiter().GetResult() : null);
        return Task.FromResult(node);
    }

    /// <summary>On the thread pool: Akka's start (its HOCON, dispatchers, loggers, guardians) overlaps totemd's own.</summary>
    public Task<Akka.Actor.ActorSystem>? CreateSystemAhead(NodeId localNode, Akka.Configuration.Config? akkaConfig, Serilog.ILogger akkaLog) =>
        Task.Run(() => TotemNode.CreateSystem(localNode, akkaLog, akkaConfig));

    /// <summary>
    /// corosync sizes the token by the nodelist; with DNS discovery there is none, so the ring size
    /// found at start stands in for it.
    /// </summary>
    public static NodeOptions OptionsFor(NodeLaunch launch)
    {
        var config = launch.Config;
        var nodeCount = config.Nodelist.Count > 0 ? config.Nodelist.Count : Math.Max(1, launch.Peers.Snapshot.Count);
        var timeouts = config.Timeouts(nodeCount);
        return new NodeOptions(launch.LocalNode, config.Totem.ClusterName ?? "", timeouts, config.Quorum, config.Nodelist, config.Fencing)
        {
            ConfigKeys = RuntimeConfigKeys.From(config, timeouts),
            LocalAddress = launch.RingEndpoint.Address.ToString(),
            Port = launch.RingEndpoint.Port,
            BlockUnlistedIps = config.Totem.BlockUnlistedIps,
            // Crypto none keeps clear datagrams; otherwise every datagram is sealed with keys from the authkey totemd loaded.
            Crypto = launch.Crypto.Authenticates ? new DatagramCrypto(launch.Crypto, launch.AuthKey) : null,
        };
    }
}
