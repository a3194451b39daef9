using System.Text;
using Totem.Host.Ringbench.Bench;
using Totem.Host.Ringbench.Corosync;
using Totem.Host.Ringbench.LocalRing;
using Totem.Protocol.Config;

namespace Totem.Host.Tests.Ringbench;

public sealed class ThroughputComparisonTests
{
    private static BenchResult Result(CorosyncFigures? corosync)
    {
        var options = new BenchOptions(new RingSpec(), 1, 1000, 64, [64, 1024]) { Corosync = corosync is not null };
        ThroughputSample[] ours = [new(1, 64, 1000, 50, 20_000, 40, 0), new(5, 64, 1000, 40, 25_000, 30, 3), new(1, 1024, 1000, 250, 4_000, 200, 0)];
        MemorySample[] memory = [new(1, "idle ring", 40 * 1024), new(2, "idle ring", 50 * 1024), new(1, BenchResult.LoadedWhen, 100 * 1024)];
        return new BenchResult(options, TotemTimeouts.Derive(new TotemSettings(), 5), [1], [], [1], ours, memory)
        {
            Corosync = corosync,
            Latency = [new LatencySample(64, 10_000, 9_990, 30_000, 3, 50, 4, 60)],
        };
    }

    [Fact]
    public void Each_row_has_ours_corosync_s_and_the_ratio()
    {
        var corosync = new CorosyncFigures("Corosync Cluster Engine, version '3.1.7'") { Scheduling = "corosync sched_rr: no; observed: SCHED_OTHER" };
        corosync.Throughput.AddRange([new ThroughputSample(1, 64, 1000, 100, 10_000, 90, 5), new ThroughputSample(5, 64, 1000, 80, 12_500, 70, 9)]);
        corosync.Latency.Add(new LatencySample(64, 5_000, 5_000, 15_000, 1.5, 10, 2, 20));
        corosync.Memory.AddRange([new MemorySample(1, "idle ring", 10 * 1024), new MemorySample(1, BenchResult.LoadedWhen, 20 * 1024)]);
        var b = new StringBuilder();
        ThroughputComparison.Append(b, Result(corosync));
        var lines = b.ToString().Split('\n').Select(l => l.TrimEnd()).ToArray();

        Assert.Contains(lines, l => l.StartsWith("totemd vs Corosync Cluster Engine, version '3.1.7', same run (5 nodes, udpu, crypto none", StringComparison.Ordinal));
        Assert.Contains("  scheduling: corosync sched_rr: no; observed: SCHED_OTHER", lines);
        Assert.Contains(lines, l => Row(l, "1 sender(s) x 64 B", "20000", "10000", "2.00"));
        Assert.Contains(lines, l => Row(l, "5 sender(s) x 64 B", "25000", "12500", "2.00"));
        // A row corosync has no figure for shows a dash, not a made-up ratio.
        Assert.Contains(lines, l => Row(l, "1 sender(s) x 1 KiB", "4000", "-", "-"));
        Assert.Contains(lines, l => Row(l, "64 B p50", "3.00", "1.50", "2.00"));
        Assert.Contains(lines, l => Row(l, "64 B p99", "50.00", "10.00", "5.00"));
        Assert.Contains(lines, l => Row(l, "64 B until the last node p99", "60.00", "20.00", "3.00"));
        Assert.Contains(lines, l => Row(l, "idle ring", "50.0", "10.0", "5.00"));
        Assert.Contains(lines, l => Row(l, BenchResult.LoadedWhen, "100.0", "20.0", "5.00"));
    }

    [Fact]
    public void A_row_corosync_failed_is_printed_as_failed_with_its_reason_and_the_table_still_comes()
    {
        var corosync = new CorosyncFigures("v");
        corosync.Throughput.Add(new ThroughputSample(1, 64, 1000, 100, 10_000, 90, 5));
        corosync.Failures.Add(new FailedRow(5, 64, "run 2 (5 sender(s) x 64 B) did not finish within 60 s: node 1 delivered 999 of 1000 messages"));
        corosync.Failures.Add(new FailedRow(0, 1024, "no latency run: the 1-sender row failed"));
        var b = new StringBuilder();
        ThroughputComparison.Append(b, Result(corosync));
        var lines = b.ToString().Split('\n').Select(l => l.TrimEnd()).ToArray();

        Assert.Contains(lines, l => Row(l, "1 sender(s) x 64 B", "20000", "10000", "2.00"));
        Assert.Contains(lines, l => Row(l, "5 sender(s) x 64 B", "25000", "failed", "-"));
        Assert.Contains(lines, l => Row(l, "1 sender(s) x 1 KiB", "4000", "-", "-"));
        Assert.Contains("    5 sender(s) x 64 B: run 2 (5 sender(s) x 64 B) did not finish within 60 s: node 1 delivered 999 of 1000 messages", lines);
        Assert.Contains("    latency 1 KiB: no latency run: the 1-sender row failed", lines);

        // Only failures: the table is still printed, every row failed or without a figure.
        var onlyFailures = new CorosyncFigures("v");
        onlyFailures.Failures.Add(new FailedRow(1, 64, "cpgbench on corosync node 1 ended"));
        var b2 = new StringBuilder();
        ThroughputComparison.Append(b2, Result(onlyFailures));
        Assert.Contains(b2.ToString().Split('\n').Select(l => l.TrimEnd()), l => Row(l, "1 sender(s) x 64 B", "20000", "failed", "-"));
    }

    [Fact]
    public void Without_corosync_s_throughput_there_is_no_table()
    {
        var b = new StringBuilder();
        ThroughputComparison.Append(b, Result(null));
        ThroughputComparison.Append(b, Result(new CorosyncFigures("v")));
        Assert.Equal("", b.ToString());
    }

    private static bool Row(string line, string what, params string[] cells)
    {
        var trimmed = line.Trim();
        if (!trimmed.StartsWith(what + " ", StringComparison.Ordinal)) return false;
        var rest = trimmed[what.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return rest.SequenceEqual(cells);
    }
}
