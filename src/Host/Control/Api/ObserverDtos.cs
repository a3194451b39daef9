namespace Totem.Host.Control.Api;

/// <summary>A node's cluster event on the observer plane: the node that saw it and the event as GET /v1/events streams it.</summary>
public sealed record ObservedEventDto(uint Node, EventDto Event);

/// <summary>
/// A node's state sampled once a second on the observer plane: its ring, quorum as it counts it, its watchdog, and
/// the token's average rotation time (corosync's mtt_rx_token), retransmits and token losses so far.
/// </summary>
public sealed record RingSampleDto(
    uint Node,
    DateTimeOffset At,
    string State,
    RingIdDto RingId,
    IReadOnlyList<uint> Members,
    double TokenRotationMs,
    long Retransmits,
    long TokenLosses,
    bool Quorate,
    uint TotalVotes,
    uint ExpectedVotes,
    uint Quorum,
    bool WatchdogArmed,
    DateTimeOffset? FenceDeadline,
    uint FencingTimeoutMs);
