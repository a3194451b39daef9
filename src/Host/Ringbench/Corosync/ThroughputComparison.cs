using System.Globalization;
using System.Text;
using Totem.Host.Ringbench.Bench;

namespace Totem.Host.Ringbench.Corosync;

/// <summary>
/// The table of ringbench --corosync: each throughput row, latency and resident memory, ours beside corosync's from the
/// same run, and the ratio totemd / corosync (above 1 is more throughput, but more latency and memory).
/// </summary>
public static class ThroughputComparison
{
    public static void Append(StringBuilder b, BenchResult result)
    {
        if (result.Corosync is not { } cs || (cs.Throughput.Count == 0 && cs.Failures.Count == 0)) return;
        var c = CultureInfo.InvariantCulture;
        b.AppendLine();
        b.AppendLine(c, $"totemd vs {cs.Version}, same run ({result.Options.Spec.Nodes} nodes, {Crypto(result)}; ratio = totemd / corosync):");
        if (cs.Scheduling is { } scheduling) b.AppendLine(c, $"  scheduling: {scheduling}");
        b.AppendLine("  ordered msg/s delivered on every node            totemd   corosync    ratio");
        foreach (var ours in result.Throughput)
        {
            var theirs = cs.Throughput.FirstOrDefault(t => t.Senders == ours.Senders && t.PayloadBytes == ours.PayloadBytes);
            var failed = cs.Failures.Any(f => f.Senders == ours.Senders && f.PayloadBytes == ours.PayloadBytes);
            Row(b, string.Create(c, $"{ours.Senders} sender(s) x {Size(ours.PayloadBytes)}"), ours.MessagesPerSecond, theirs?.MessagesPerSecond, "0", failed);
        }
        if (result.Latency.Count > 0)
        {
            b.AppendLine("  submit -> delivered at half the 1-sender peak (ms; every node's deliveries)");
            foreach (var ours in result.Latency)
            {
                var theirs = cs.Latency.FirstOrDefault(l => l.PayloadBytes == ours.PayloadBytes);
                Row(b, $"{Size(ours.PayloadBytes)} p50", ours.P50Ms, theirs?.P50Ms, "0.00");
                Row(b, $"{Size(ours.PayloadBytes)} p99", ours.P99Ms, theirs?.P99Ms, "0.00");
                Row(b, $"{Size(ours.PayloadBytes)} until the last node p99", ours.AllNodesP99Ms, theirs?.AllNodesP99Ms, "0.00");
            }
        }
        if (result.Memory.Count > 0 && cs.Memory.Count > 0)
        {
            b.AppendLine("  VmRSS per node, MiB (largest)");
            foreach (var when in result.Memory.Select(m => m.When).Distinct())
            {
                var theirs = cs.Memory.Where(m => m.When == when).ToArray();
                Row(b, when, result.Memory.Where(m => m.When == when).Max(m => m.ResidentKiB) / 1024.0,
                    theirs.Length > 0 ? theirs.Max(m => m.ResidentKiB) / 1024.0 : null, "0.0");
            }
        }
        if (cs.Failures.Count > 0)
        {
            b.AppendLine("  corosync rows that gave no figure:");
            foreach (var f in cs.Failures)
                b.AppendLine(c, $"    {(f.Senders == 0 ? $"latency {Size(f.PayloadBytes)}" : $"{f.Senders} sender(s) x {Size(f.PayloadBytes)}")}: {f.Reason}");
        }
    }

    private static void Row(StringBuilder b, string what, double ours, double? theirs, string format, bool failed = false)
    {
        var c = CultureInfo.InvariantCulture;
        var corosync = theirs is { } t ? t.ToString(format, c) : failed ? "failed" : "-";
        var ratio = theirs is { } r && r > 0 ? (ours / r).ToString("0.00", c) : "-";
        b.AppendLine(c, $"  {what,-46} {ours.ToString(format, c),9} {corosync,10} {ratio,8}");
    }

    private static string Size(int bytes) => bytes >= 1024 && bytes % 1024 == 0 ? $"{bytes / 1024} KiB" : $"{bytes} B";

    private static string Crypto(BenchResult result) =>
        result.Options.Spec.Sealed ? $"knet, crypto {result.Options.Spec.Crypto}" : $"{result.Options.Spec.Transport}, crypto none";
}
