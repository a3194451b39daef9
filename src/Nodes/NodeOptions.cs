using Totem.Protocol.Config;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Nodes;

/// <summary>
/// Everything one node needs to run, already validated and derived: the host builds it from the
/// config file and discovery, the simulator builds it directly.
/// </summary>
public sealed record NodeOptions(
    NodeId NodeId,
    string ClusterName,
    TotemTimeouts Timeouts,
    QuorumSettings Quorum,
    IReadOnlyList<NodeEntry> Nodelist,
    FencingSettings Fencing)
{
    /// <summary>Highest ring seq this node saw in an earlier life, so a restarted node forms rings above it.</summary>
    public ulong InitialRingSeq { get; init; }

    /// <summary>cmap keys of the configuration (runtime.config.totem.* and the file's keys); derived from Timeouts when empty.</summary>
    public IReadOnlyList<CmapEntry> ConfigKeys { get; init; } = [];

    /// <summary>How many delivered application messages, and how many bytes of them, the node keeps for GET /v1/messages.</summary>
    public DeliveredLogLimits DeliveredLog { get; init; } = DeliveredLogLimits.Default;

    /// <summary>How many submitted messages, and how many bytes of them, may wait for the token before submits are refused.</summary>
    public SendQueueLimits SendQueue { get; init; } = SendQueueLimits.Default;

    /// <summary>
    /// Largest application payload accepted: the packing layer's 1 MiB message limit (corosync's for CPG) less the
    /// service byte the node puts in front of it; larger ones are refused as too large.
    /// </summary>
    public int MaxPayloadBytes { get; init; } = Totem.Protocol.Pg.PgLimits.MaxMessageBytes - Services.ServiceFrame.HeaderBytes;

    /// <summary>Ring address and port, for `rings` and status (informational).</summary>
    public string LocalAddress { get; init; } = "";

    public int Port { get; init; } = 5405;

    /// <summary>totem.transport (knet, udpu or udp), for status and `rings` as corosync-cfgtool prints it (informational).</summary>
    public string Transport { get; init; } = TotemSettings.DefaultTransport;

    /// <summary>The config file's content the node started from, which a reload compares the file with; null: none (reloads are refused).</summary>
    public ClusterConfig? Config { get; init; }

    /// <summary>Seals every datagram on real UDP (secauth / crypto_cipher + crypto_hash and the authkey); null: crypto none, clear datagrams.</summary>
    public DatagramCrypto? Crypto { get; init; }
    /// <summary>totem.block_unlisted_ips (corosync's default yes): real UDP drops datagrams from sources not in the peer table.</summary>
    public bool BlockUnlistedIps { get; init; } = true;
}
