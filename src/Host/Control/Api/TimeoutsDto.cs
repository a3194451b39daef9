using Totem.Protocol.Config;

namespace Totem.Host.Control.Api;

/// <summary>
/// `totemctl timeouts --json` and GET /v1/timeouts: the derived runtime timeouts for a node count (Config: the
/// file they come from, null for corosync's defaults; Node: the node that runs them, for GET /v1/timeouts), and what they mean:
/// a crash is noticed after the effective token (detectionMs), the new membership forms after
/// token + consensus (newMembershipMs), and a node left without quorum fences after that plus the
/// fencing timeout (fencingMs).
/// </summary>
public sealed record TimeoutsDto(
    string? Config,
    uint? Node,
    int Nodes,
    TotemTimeouts Timeouts,
    uint DetectionMs,
    uint NewMembershipMs,
    string FencingMode,
    uint FencingTimeoutMs,
    uint FencingMs,
    IReadOnlyList<string> Warnings);
