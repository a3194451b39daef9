using Totem.Host.Totemctl.Explain;
using Totem.Protocol.Config;

namespace Totem.Host.Tests.Totemctl;

public sealed class CorosyncLogParserTests
{
    [Fact]
    public void Syslog_times_roll_into_the_next_year_and_keep_their_resolution()
    {
        var r = CorosyncLogParser.Parse(
        [
            "Dec 31 23:59:59.996 [1] n1 corosync notice  [TOTEM ] Token has not been received in 3712 ms",
            "Jan  1 00:00:01 [1] n1 corosync notice  [TOTEM ] A processor failed, forming new configuration.",
        ], "t", 2025);
        Assert.Empty(r.Diagnostics);
        Assert.Equal(new DateTime(2025, 12, 31, 23, 59, 59, 996), r.Lines[0].Time);
        Assert.Equal(1, r.Lines[0].ResolutionMs, 6);
        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 1), r.Lines[1].Time);
        Assert.Equal(1000, r.Lines[1].ResolutionMs);
        Assert.Equal("TOTEM", r.Lines[1].Subsystem);
    }

    [Fact]
    public void The_29th_of_February_of_a_common_year_is_reported()
    {
        var r = CorosyncLogParser.Parse(["Feb 29 10:00:00 [1] n1 corosync notice  [MAIN  ] x"], "log", 2026);
        Assert.Empty(r.Lines);
        Assert.Equal("log:1: timestamp 'Feb 29 10:00:00': 29 Feb does not exist in 2026: Feb 29 10:00:00 [1] n1 corosync notice  [MAIN  ] x", Assert.Single(r.Diagnostics).ToString());
    }

    [Fact]
    public void Lines_without_a_subsystem_and_journal_markers_are_read()
    {
        var r = CorosyncLogParser.Parse(
        [
            "-- Boot 0f3c --",
            "2026-12-07T14:30:23+0100 pve1 corosync[12]: A new membership (1.19) was formed. Members left: 4",
            "Dec 07 14:30:23 pve1 kernel: eth0: link down",
        ], "j", 2026);
        Assert.Empty(r.Diagnostics);
        var line = Assert.Single(r.Lines);
        Assert.Null(line.Subsystem);
        Assert.Equal(2, line.LineNumber);
        Assert.Equal(new DateTime(2026, 12, 7, 14, 30, 23), line.Time);
        var stories = MembershipStories.Build(r.Lines);
        Assert.Equal([4u], Assert.Single(stories.Changes).Left);
    }

    [Fact]
    public void A_token_warning_that_recovered_is_a_near_miss()
    {
        var r = CorosyncLogParser.Parse(
        [
            "Dec 07 10:00:00.000 [1] n1 corosync notice  [TOTEM ] Token has not been received in 3712 ms",
            "Dec 07 10:05:00.000 [1] n1 corosync warning [MAIN  ] Corosync main process was not scheduled for 4012.5 ms (threshold is 3960.0000 ms). Consider token timeout increase.",
        ], "l", 2026);
        var stories = MembershipStories.Build(r.Lines);
        Assert.Empty(stories.Changes);
        Assert.Equal([1, 2], stories.Unresolved.Select(e => e.Line));
    }

    [Fact]
    public void The_failover_window_is_token_plus_consensus_less_one_hold()
    {
        var t = TotemTimeouts.Derive(TotemSettings.Default, 5);
        Assert.Equal(new FailoverWindow.Window(4950 + 5940 - 932, 4950 + 5940), FailoverWindow.FaultToNewMembership(t));
        Assert.Equal(3712u, FailoverWindow.TokenWarningMs(t));
        Assert.True(FailoverWindow.FaultToNewMembership(t).Contains(10_190, 1, 0));
        Assert.False(FailoverWindow.FaultToNewMembership(t).Contains(11_100, 1, 100));
    }
}
