using System.Globalization;
using System.Text;
using Totem.Protocol.Config;

namespace Totem.Host.Ringbench.Bench;

public sealed record KillSample(int Victim, double ReformMs);

public sealed record ThroughputSample(int Senders, int PayloadBytes, int Messages, double ElapsedMs, double MessagesPerSecond, double AcceptedMs, long FullQueueRetries);

public sealed record MemorySample(int Node, string When, long ResidentKiB);

/// <summary>The figures of one run and the report printed at its end.</summary>
public sealed record BenchResult(
    BenchOptions Options,
    TotemTimeouts Timeouts,
    IReadOnlyList<double> ColdStartMs,
    IReadOnlyList<KillSample> Kills,
    IReadOnlyList<double> RejoinMs,
    IReadOnlyList<ThroughputSample> Throughput,
    IReadOnlyList<MemorySample> Memory)
{
    public string Report()
    {
        var c = CultureInfo.InvariantCulture;
        var b = new StringBuilder();
        var spec = Options.Spec;
        b.AppendLine(c, $"ringbench: {spec.Nodes} totemd processes on 127.0.0.1..{spec.Nodes}, token {spec.Token} + coefficient {spec.TokenCoefficient} -> effective token {Timeouts.Token} ms, consensus {Timeouts.Consensus} ms; {Options.Repeats} repeats, {Environment.ProcessorCount} CPUs");
        b.AppendLine();
        b.AppendLine("                                          min     median        max");
        Row(b, "cold start -> quorate ring (ms)", ColdStartMs);
        Row(b, "SIGKILL -> new membership (ms)", Kills.Select(k => k.ReformMs).ToArray());
        Row(b, "restart -> rejoined, quorate (ms)", RejoinMs);
        b.AppendLine(c, $"  (expected for a crash: effective token + consensus = {Timeouts.Token + Timeouts.Consensus} ms, plus tens of ms; victims {string.Join(",", Kills.Select(k => k.Victim))})");
        if (Throughput.Count > 0)
        {
            b.AppendLine();
            b.AppendLine(c, $"ordered throughput (POST /v1/messages, {Options.InFlight} in flight per sender; timed until every node delivered every message):");
            foreach (var t in Throughput)
                b.AppendLine(c, $"  {t.Senders} sender(s) x {t.PayloadBytes,5} B: {t.MessagesPerSecond,8:0} msg/s  ({t.Messages} messages in {t.ElapsedMs:0} ms, {t.FullQueueRetries} full-queue retries)");
        }
        if (Memory.Count > 0)
        {
            b.AppendLine();
            b.AppendLine("resident memory per node (VmRSS, MiB):");
            foreach (var group in Memory.GroupBy(m => m.When))
                b.AppendLine(c, $"  {group.Key,-26} {string.Join("  ", group.Select(m => string.Create(c, $"node{m.Node} {m.ResidentKiB / 1024.0:0.0}")))}");
        }
        return b.ToString();
    }

    private static void Row(StringBuilder b, string name, IReadOnlyList<double> values)
    {
        if (values.Count == 0) return;
        var sorted = values.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        b.AppendLine(CultureInfo.InvariantCulture, $"  {name,-36} {sorted[0],8:0} {median,10:0} {sorted[^1],10:0}");
    }
}
