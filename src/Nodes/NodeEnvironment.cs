using System.Net;
using Serilog;
using Akka.Actor;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes;

/// <summary>
/// Where a node runs: its Akka.NET actor system (thread pool, or the simulation's dispatcher and virtual-time scheduler), its transport (UDP or the
/// simulated network) and its logger. The only things that differ between totemd and the simulator.
/// </summary>
public sealed record NodeEnvironment(ActorSystem System, IDatagramTransport Transport, ILogger Logger)
{
    /// <summary>The operator's in-node faults on outgoing datagrams (the same shaper the transport consults).</summary>
    public FaultShaper? Faults { get; init; }

    /// <summary>Current peer addresses, for `totemctl rings`.</summary>
    public Func<IReadOnlyDictionary<NodeId, string>> PeerAddresses { get; init; } = () => new Dictionary<NodeId, string>();

    /// <summary>knet's links over real sockets: each link's socket and where every peer is on it (`totemctl rings`); empty in the simulator.</summary>
    public IReadOnlyList<(UdpLink Link, IPEndPoint Local)> Links { get; init; } = [];

    /// <summary>Processors' host names the peer source knows (this node's own too), for `totemctl status` and `members`.</summary>
    public Func<IReadOnlyDictionary<NodeId, string>> PeerNames { get; init; } = () => new Dictionary<NodeId, string>();

    /// <summary>Every engine output, in order (the simulator's invariant checker listens here).</summary>
    public Action<SrpOutput>? ProtocolOutput { get; init; }

    /// <summary>The service synchronization of a ring completed on this node, in order with <see cref="ProtocolOutput"/>.</summary>
    public Action<RingId>? ServiceSyncCompleted { get; init; }

    /// <summary>Keeps a newly seen ring seq where a restarted node will find it (before the ring that uses it forms).</summary>
    public Action<ulong>? PersistRingSeq { get; init; }

    /// <summary>Told of every actor failure the node's supervisors handle (the simulator fails the run on any).</summary>
    public Action<string, Exception>? OnActorFailure { get; init; }

    /// <summary>The node's only random source, uniform in [0, 1) (send_join's delay); the simulator passes its seeded random.</summary>
    public Func<double> NextRandom { get; init; } = Random.Shared.NextDouble;

    /// <summary>
    /// Reads and validates the node's config file again, now (corosync's coroparse_configparse at a reload): totemd's
    /// file on disk, the simulator's text in memory. Null: the node has no file to re-read and refuses reloads.
    /// </summary>
    public Func<ConfigLoadResult>? ReadConfig { get; init; }

    /// <summary>The replicated store's keeping (issue 16); null: the node runs no store (its writes and reads are refused).</summary>
    public StoreHosting? Store { get; init; }

    /// <summary>Called once when the node exits (fenced, stopped or failed), before its system is terminated.</summary>
    public Action<Control.NodeExit>? OnExit { get; init; }
}
