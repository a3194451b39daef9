using Totem.Protocol.Wire;

namespace Totem.Protocol.Config;

public enum AutoTieBreakerMode { Off, Lowest, Highest, List }

/// <summary>
/// The quorum { } section as votequorum(5) defines it. Null means "not set in the config"
/// where corosync's default depends on other keys (wait_for_all follows two_node).
/// </summary>
public sealed record QuorumSettings(
    string Provider,
    uint? ExpectedVotes,
    bool TwoNode,
    bool? WaitForAll,
    bool LastManStanding,
    uint LastManStandingWindowMs,
    AutoTieBreakerMode AutoTieBreaker,
    ValueList<NodeId> AutoTieBreakerNodes)
{
    public static QuorumSettings Default { get; } = new(
        "corosync_votequorum", null, false, null, false, 10000, AutoTieBreakerMode.Off, ValueList<NodeId>.Empty);
}
