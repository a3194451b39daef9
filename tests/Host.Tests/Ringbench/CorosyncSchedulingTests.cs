using Totem.Host.Ringbench.Corosync;

namespace Totem.Host.Tests.Ringbench;

public sealed class CorosyncSchedulingTests
{
    // A /proc/PID/stat line of a realtime corosync (fields 40 and 41: rt_priority 99, policy 2) with a name holding a space and a ')'.
    private const string RealtimeStat =
        "4242 (coro sync) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 5 3 0 0 -100 0 9 0 5173164 31334400 3790 18446744073709551615 1 1 0 0 0 0 0 4096 17922 0 0 0 17 1 99 2 0 0 0 0 0 0 0 0 0 0 0";

    private const string OrdinaryStat =
        "24902 (cat) R 24896 24896 25361 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 5173164 3133440 379 18446744073709551615 94734256852992 94734256872873 140721569472544 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94734256888880 94734256890496 94734528274432 140721569474833 140721569474853 140721569474853 140721569476587 0";

    [Fact]
    public void By_default_corosync_is_told_not_to_go_realtime_and_realtime_keeps_its_default()
    {
        Assert.Equal("  sched_rr: no\n  priority: 0", CorosyncScheduling.SystemKeys(realtime: false));
        Assert.Empty(CorosyncScheduling.SystemKeys(realtime: true));
        Assert.Contains("sched_rr: no", CorosyncScheduling.Chosen(realtime: false), StringComparison.Ordinal);
        Assert.Contains("SCHED_RR 99", CorosyncScheduling.Chosen(realtime: true), StringComparison.Ordinal);
    }

    [Fact]
    public void The_policy_is_read_from_after_the_command_name_s_last_parenthesis()
    {
        Assert.Equal("SCHED_RR 99", CorosyncScheduling.Parse(RealtimeStat));
        Assert.Equal("SCHED_OTHER", CorosyncScheduling.Parse(OrdinaryStat));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12 (corosync) S 1 2 3")]
    [InlineData("no parenthesis at all")]
    public void A_line_that_is_not_a_stat_line_gives_no_policy(string stat)
    {
        Assert.Null(CorosyncScheduling.Parse(stat));
    }

    [Fact]
    public void This_process_s_own_policy_is_read_and_a_gone_process_gives_none()
    {
        Assert.NotNull(CorosyncScheduling.Observed(Environment.ProcessId));
        Assert.Null(CorosyncScheduling.Observed(int.MaxValue));
    }
}
