using Totem.Host.Ringbench.Bench;
using Totem.Host.Ringbench.Corosync;

namespace Totem.Host.Tests.Ringbench;

public sealed class CorosyncThroughputTests
{
    private static CpgDone Done(long count = 100, ulong hash = 0xabc, long orderErrors = 0, long strays = 0) => new(1, count, hash, orderErrors, strays, 1, 2);

    [Fact]
    public void A_run_every_node_delivered_whole_in_one_order_holds()
    {
        Assert.Null(CorosyncThroughput.Judge([(1, Done()), (2, Done()), (3, Done())], 100));
    }

    [Fact]
    public void Two_orders_a_short_node_a_sender_out_of_order_and_strays_are_each_named()
    {
        var verdict = CorosyncThroughput.Judge([(1, Done()), (2, Done(hash: 0xdef)), (3, Done(count: 99)), (4, Done(orderErrors: 2)), (5, Done(strays: 1))], 100);
        Assert.NotNull(verdict);
        Assert.Contains("node 3 delivered 99 of 100 messages", verdict, StringComparison.Ordinal);
        Assert.Contains("node 4 delivered 2 message(s) out of their sender's order", verdict, StringComparison.Ordinal);
        Assert.Contains("node 5 delivered 1 message(s) of no run being counted", verdict, StringComparison.Ordinal);
        Assert.Contains("2 different orders", verdict, StringComparison.Ordinal);
        Assert.Contains("2 digest 0000000000000def", verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void Latency_takes_every_node_s_deliveries_and_the_last_node_per_message()
    {
        // Two nodes, three messages; message 2 never reached node 2: it counts per node, not for "until the last node".
        IReadOnlyList<CpgLatency>[] perNode =
        [
            [new(1, 0, 1_000_000), new(1, 1, 2_000_000), new(1, 2, 3_000_000)],
            [new(1, 0, 4_000_000), new(1, 1, 1_000_000)],
        ];
        var paced = new ThroughputSample(1, 64, 3, 1000, 3, 900, 0);
        var sample = CorosyncThroughput.Latency(perNode, 2, 64, 10, paced);
        Assert.Equal(2.0, sample.P50Ms);       // 1 1 2 3 4 -> index 2
        Assert.Equal(4.0, sample.P99Ms);
        Assert.Equal(4.0, sample.AllNodesP50Ms); // max per message: 4 (msg 0), 2 (msg 1) -> sorted 2 4 -> index 1
        Assert.Equal(4.0, sample.AllNodesP99Ms);
        Assert.Equal(3, sample.Messages);
        Assert.Equal(10, sample.RatePerSecond);
    }

    [Fact]
    public void Corosync_s_log_line_for_a_dropped_multicast_is_recognised()
    {
        Assert.True(CorosyncThroughput.IsDrop("Dec 07 18:10:01.123 warning [MAIN  ] *** cs_ipcs_msg_process() (2:2 - 1) No buffer space available!"));
        Assert.False(CorosyncThroughput.IsDrop("Dec 07 18:10:01.123 info    [MAIN  ] *** cs_ipcs_msg_process() invalid message! size:24 error:7"));
        Assert.False(CorosyncThroughput.IsDrop("Dec 07 18:10:01.123 notice  [TOTEM ] A new membership (10.200.1.1:12) was formed. Members joined: 2"));
    }
}
