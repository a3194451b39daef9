using Totem.Protocol.Config;

namespace Totem.Host.Control.Api;

/// <summary>
/// `totemctl timeouts --json`: the derived runtime timeouts for a node count, and what they mean:
/// a crash is noticed after the effective token (detectionMs), the new membership forms after
/// token + consensus (newMembershipMs), and a node left without quorum fences after that plus the
/// fencing timeout (fencingMs).
/// </summary>
public sealed record TimeoutsDto(
    string? Config,
    int Nodes,
    TotemTimeouts Timeouts,
    uint DetectionMs,
    uint NewMembershipMs,
    string FencingMode,
    uint FencingTimeoutMs,
    uint FencingMs,
    IReadOnlyList<string> Warnings);
