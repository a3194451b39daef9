using Totem.Protocol.Wire;

namespace Totem.Protocol.Config;

public enum AutoTieBreakerMode { Off, Lowest, Highest, List }

/// <summary>
/// The quorum { } section as votequorum(5) defines it. Null means "not set in the config"
/// where corosync's default depends on other keys (wait_for_all follows two_node).
/// <paramref name="AllowDownscale"/>: a node that stops cleanly announces it, and the others lower expected votes
/// to the members left, never below the configured expected votes.
/// </summary>
public sealed record QuorumSettings(
    string Provider,
    uint? ExpectedVotes,
    bool TwoNode,
    bool? WaitForAll,
    bool LastManStanding,
    uint LastManStandingWindowMs,
    AutoTieBreakerMode AutoTieBreaker,
    ValueList<NodeId> AutoTieBreakerNodes,
    bool AllowDownscale)
{
    public static QuorumSettings Default { get; } = new(
        "corosync_votequorum", null, false, null, false, 10000, AutoTieBreakerMode.Off, ValueList<NodeId>.Empty, false);
}
