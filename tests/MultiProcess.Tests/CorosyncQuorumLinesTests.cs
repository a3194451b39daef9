using Totem.Host.Ringbench.Corosync;

namespace Totem.MultiProcess.Tests;

/// <summary>ringbench --corosync reads each corosync node's membership and quorum from its own log lines.</summary>
public sealed class CorosyncQuorumLinesTests
{
    [Fact]
    public void The_latest_members_line_and_quorum_line_are_the_node_s_state()
    {
        string[] lines =
        [
            "Dec 01 22:10:01.104 notice  [QUORUM] Sync members[1]: 3",
            "Dec 01 22:10:01.104 notice  [QUORUM] Members[1]: 3",
            "Dec 01 22:10:01.300 notice  [QUORUM] Sync members[5]: 1 2 3 4 5",
            "Dec 01 22:10:01.304 notice  [QUORUM] This node is within the primary component and will provide service.",
            "Dec 01 22:10:01.304 notice  [QUORUM] Members[5]: 1 2 3 4 5",
        ];
        var (members, quorate) = CorosyncQuorumLines.State(lines);
        Assert.Equal([1u, 2, 3, 4, 5], members);
        Assert.True(quorate);

        var (early, earlyQuorate) = CorosyncQuorumLines.State(lines[..3]);
        Assert.Equal([3u], early);
        Assert.False(earlyQuorate);

        var lost = lines.Append("Dec 01 22:10:09.000 notice  [QUORUM] This node is within the non-primary component and will NOT provide any services.")
            .Append("Dec 01 22:10:09.000 notice  [QUORUM] Members[2]: 1 2").ToArray();
        var (after, afterQuorate) = CorosyncQuorumLines.State(lost);
        Assert.Equal([1u, 2], after);
        Assert.False(afterQuorate);
    }

    [Fact]
    public void A_members_line_whose_count_and_list_differ_is_an_error_naming_the_line()
    {
        var error = Assert.Throws<FormatException>(() => CorosyncQuorumLines.State(["x [QUORUM] Members[3]: 1 2"]));
        Assert.Contains("Members[3]: 1 2", error.Message, StringComparison.Ordinal);
    }
}
