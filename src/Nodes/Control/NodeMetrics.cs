namespace Totem.Nodes.Control;

/// <summary>
/// Counters (monotonic since start) and gauges of one node, for Prometheus. Ring size, votes and
/// quorum are in <see cref="NodeStatusSnapshot"/>; these are the numbers that move between snapshots.
/// </summary>
public sealed record NodeMetrics(
    /// <summary>Time of the last full token rotation (ms), corosync's mtt_rx_token; 0 before the first.</summary>
    double TokenRotationMs,
    long TokensReceived,
    long TokensLost,
    long MembershipChanges,
    long MessagesSubmitted,
    long MessagesDelivered,
    /// <summary>Messages this node multicast again because a token's retransmit list asked for them.</summary>
    long Retransmits,
    /// <summary>Sequence numbers this node put on a token's retransmit list.</summary>
    long RetransmitRequests,
    long ConsensusTimeouts,
    long DatagramsSent,
    long DatagramsReceived,
    long DatagramsDroppedByFault,
    long DatagramsMalformed,
    /// <summary>Datagrams dropped before decoding because their source is not a listed node (totem.block_unlisted_ips).</summary>
    long DatagramsRejectedUnlisted,
    /// <summary>Submitted messages waiting for the token (gauge).</summary>
    int PendingMessages,
    /// <summary>Lowest delivery index still served by GetMessages (gauge).</summary>
    long OldestRetainedMessage)
{
    /// <summary>Datagrams the seal refused (wrong key, tampered, replayed, ...); also counted in <see cref="DatagramsMalformed"/>.</summary>
    public long DatagramsUnauthenticated { get; init; }

    /// <summary><see cref="DatagramsUnauthenticated"/> by reason; empty on a node with crypto none.</summary>
    public IReadOnlyDictionary<Totem.Protocol.Security.SealFailure, long> DatagramsUnauthenticatedByReason { get; init; } =
        new Dictionary<Totem.Protocol.Security.SealFailure, long>();
}
