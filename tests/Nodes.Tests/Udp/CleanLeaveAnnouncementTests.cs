using Totem.Nodes.Control;
using Totem.Protocol.Config;

namespace Totem.Nodes.Tests.Udp;

/// <summary>
/// Real nodes over real UDP: a node that stops cleanly (what SIGTERM runs) announces its leave through the ring before
/// it leaves, and with allow_downscale the others lower expected votes when it goes (issue 19 point 2).
/// </summary>
public sealed class CleanLeaveAnnouncementTests
{
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_clean_stop_lowers_expected_votes_on_the_others_only_with_allow_downscale(bool allowDownscale)
    {
        await using var ring = new UdpRing(3, quorum: QuorumSettings.Default with { ExpectedVotes = 2, AllowDownscale = allowDownscale });
        ring.StartAll();
        Assert.True(await UdpRing.WaitFor(() => ring.OneRingOf(1, 2, 3) && ring.Live.All(n => n.Board.Status().Quorum.ExpectedVotes == 3), FormTimeout),
            "the 3-node ring did not form with expected votes 3");
        Assert.Equal(allowDownscale, ring.Node(1).Board.Status().Quorum.Flags.Contains("AllowDownscale"));
        Assert.Contains(ring.Node(1).Board.Runtime("runtime.votequorum.ev_barrier"), k => k.ToString() == "runtime.votequorum.ev_barrier (u32) = 2");

        var exit = await ring.LeaveAndStop(3);

        Assert.Equal(NodeExitReason.Stopped, exit.Reason);
        Assert.True(await UdpRing.WaitFor(() => ring.OneRingOf(1, 2), FormTimeout), "the 2 others did not form a ring");
        foreach (var node in ring.Live)
        {
            var quorum = node.Board.Status().Quorum;
            // Only the announcement lowers expected votes: a departure without it (a crash, or allow_downscale off) never does.
            Assert.Equal(allowDownscale ? (2u, 2u) : (3u, 2u), (quorum.ExpectedVotes, quorum.Quorum));
            Assert.True(quorum.Quorate);
        }
    }
}
