namespace Totem.Host.Control.Api;

/// <summary>
/// GET /v1/faults (and the answer of POST/DELETE): the fault for all peers, the per-peer overrides, and the faults of
/// single knet links (both directions at this node; null from a node before links had faults).
/// </summary>
public sealed record FaultsDto(LinkFaultDto All, IReadOnlyList<PeerFaultDto> Peers, IReadOnlyList<KnetLinkFaultDto>? Links = null);

public sealed record LinkFaultDto(uint DelayMs, uint JitterMs, double LossPercent);

public sealed record PeerFaultDto(uint Peer, uint DelayMs, uint JitterMs, double LossPercent);

public sealed record KnetLinkFaultDto(uint Link, uint DelayMs, uint JitterMs, double LossPercent);

/// <summary>
/// POST /v1/faults body: changes only the fields given, for one peer when <see cref="Peer"/> is set, for one knet
/// link (both directions, every peer) when <see cref="Link"/> is set, else for all peers. At least one of delayMs,
/// jitterMs, lossPercent is required; peer and link do not go together.
/// </summary>
public sealed record FaultRequest(uint? Peer, uint? DelayMs, uint? JitterMs, double? LossPercent, uint? Link = null);
