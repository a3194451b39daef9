namespace Totem.Host.Control.Api;

/// <summary>GET /v1/faults (and the answer of POST/DELETE): the fault for all peers and the per-peer overrides.</summary>
public sealed record FaultsDto(LinkFaultDto All, IReadOnlyList<PeerFaultDto> Peers);

public sealed record LinkFaultDto(uint DelayMs, uint JitterMs, double LossPercent);

public sealed record PeerFaultDto(uint Peer, uint DelayMs, uint JitterMs, double LossPercent);

/// <summary>
/// POST /v1/faults body: changes only the fields given, for one peer when <see cref="Peer"/> is set,
/// else for all peers. At least one of delayMs, jitterMs, lossPercent is required.
/// </summary>
public sealed record FaultRequest(uint? Peer, uint? DelayMs, uint? JitterMs, double? LossPercent);
