using System.Net;
using Totem.Nodes;
using Totem.Nodes.Control;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd;

/// <summary>
/// Everything a node needs from its process: the validated config, who it is, where its ring socket
/// binds, and the peer table discovery keeps current (read by the transport, replaced in the background).
/// </summary>
public sealed record NodeLaunch(ClusterConfig Config, NodeId LocalNode, IPEndPoint RingEndpoint, PeerTable Peers)
{
    public string? StateDir { get; init; }

    /// <summary>Start the observer plane's publisher (the system then runs Akka.Remote, <see cref="Control.Observer.ObserverPlane"/>).</summary>
    public bool Observer { get; init; }

    /// <summary>totemd.delivered-log: how much of the delivered messages the node keeps for GET /v1/messages.</summary>
    public DeliveredLogLimits DeliveredLog { get; init; } = DeliveredLogLimits.Default;

    /// <summary>totemd.send-queue: how much submitted traffic may wait for the token.</summary>
    public SendQueueLimits SendQueue { get; init; } = SendQueueLimits.Default;

    /// <summary>
    /// totemd's merged HOCON (the --akka-config file over totemd's reference.conf): its akka { }
    /// section is meant for the node's ActorSystem, over the node's own reference.conf.
    /// </summary>
    public Akka.Configuration.Config? AkkaConfig { get; init; }

    /// <summary>
    /// What every datagram of the ring gets, as totem_get_crypto decided it from the cluster file:
    /// <see cref="CryptoSettings.Off"/> unless secauth / crypto_cipher / crypto_hash turn it on.
    /// </summary>
    public CryptoSettings Crypto { get; init; } = CryptoSettings.Off;

    /// <summary>The authkey's bytes (128 to 4096) when <see cref="Crypto"/> is on, else empty: what the transport derives its keys from.</summary>
    public ReadOnlyMemory<byte> AuthKey { get; init; } = ReadOnlyMemory<byte>.Empty;

    /// <summary>Reads the cluster file again for `totemctl reload` (the path and environment totemd started with); null: reloads are refused.</summary>
    public Func<ConfigLoadResult>? ReadConfig { get; init; }

    /// <summary>knet's links 1..7 (the nodelist's ringN_addr), each its own socket; empty: link 0 only.</summary>
    public IReadOnlyList<UdpLink> RedundantLinks { get; init; } = [];

    /// <summary>The node's ActorSystem when it was started ahead (<see cref="INodeLauncher.CreateSystemAhead"/>), else null.</summary>
    public Task<Akka.Actor.ActorSystem>? System { get; init; }
}

/// <summary>
/// The one seam between totemd and the node layer (src/Nodes): starts one node's actor system and
/// hands back its control facade and lifetime. Implemented by the node layer's factory.
/// </summary>
public interface INodeLauncher
{
    Task<IRunningNode> StartAsync(NodeLaunch launch, Serilog.ILogger log, CancellationToken cancellationToken);

    /// <summary>
    /// Starts creating the node's ActorSystem in the background, as soon as its settings and the node id
    /// are known, so that it is ready by the time the config is loaded and the socket bound; null when
    /// this launcher has none. <paramref name="akkaLog"/> takes Akka's lines.
    /// </summary>
    Task<Akka.Actor.ActorSystem>? CreateSystemAhead(NodeId localNode, Akka.Configuration.Config? akkaConfig, Serilog.ILogger akkaLog) => null;
}
