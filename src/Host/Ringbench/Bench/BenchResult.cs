using System.Globalization;
using System.Text;
using Totem.Host.Totemd.Logging;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;

namespace Totem.Host.Ringbench.Bench;

public sealed record KillSample(int Victim, double ReformMs);

/// <summary>corosync 3's figures of the same repeats (ringbench --corosync), filled in as they are measured.</summary>
public sealed record CorosyncFigures(string Version)
{
    public List<double> ColdStartMs { get; } = [];

    /// <summary>How corosync was scheduled, as chosen and as seen on a running node (<see cref="Corosync.CorosyncScheduling"/>).</summary>
    public string? Scheduling { get; set; }
    public List<KillSample> Kills { get; } = [];
    public List<double> RejoinMs { get; } = [];

    /// <summary>The throughput workload through CPG on the last repeat's ring (<see cref="Corosync.CorosyncThroughput"/>).</summary>
    public List<ThroughputSample> Throughput { get; } = [];

    public List<LatencySample> Latency { get; } = [];

    /// <summary>Rows of the throughput workload that did not complete, and why: the table prints them in place of a figure.</summary>
    public List<FailedRow> Failures { get; } = [];

    /// <summary>Each corosync's VmRSS, idle and after its throughput runs.</summary>
    public List<MemorySample> Memory { get; } = [];
}

/// <summary>A throughput (or latency: <see cref="Senders"/> 0) row that gave no figure, with what went wrong.</summary>
public sealed record FailedRow(int Senders, int PayloadBytes, string Reason);

public sealed record ThroughputSample(int Senders, int PayloadBytes, int Messages, double ElapsedMs, double MessagesPerSecond, double AcceptedMs, long FullQueueRetries);

/// <summary>Submit -> delivered through the client sockets at a paced rate: every node's every delivery, and until the last node delivered.</summary>
public sealed record LatencySample(int PayloadBytes, double RatePerSecond, double AchievedPerSecond, long Messages, double P50Ms, double P99Ms, double AllNodesP50Ms, double AllNodesP99Ms);

public sealed record MemorySample(int Node, string When, long ResidentKiB)
{
    /// <summary>RssAnon, RssFile, RssShmem and PSS, KiB, when /proc gave them.</summary>
    public (long Anon, long File, long Shmem, long Pss)? Breakdown { get; init; }
}

/// <summary>One totemd start's phases, ms since its process started, as its start-up line gives them.</summary>
/// <param name="Restart">A restart of one node into a running ring (it starts alone); else one of N processes cold-started together.</param>
public sealed record PhaseSample(int Node, IReadOnlyDictionary<string, double> Phases, bool Restart);

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
    /// <summary>Budgets (Release, this 2-core machine): idle RSS of issue 18 (issue 17's was 80 MiB), and RSS after the throughput runs.</summary>
    public const double IdleRssBudgetMiB = 70;
    public const double LoadedRssBudgetMiB = 110;
    public const double ActorSystemReadyBudgetMs = 300;

    /// <summary>Every start of the run (cold starts and restarts), in order.</summary>
    public IReadOnlyList<PhaseSample> Phases { get; init; } = [];

    /// <summary>Submit -> delivered latency at half the peak rate, per payload size.</summary>
    public IReadOnlyList<LatencySample> Latency { get; init; } = [];

    /// <summary>The HTTP path's throughput in the same run (--http).</summary>
    public IReadOnlyList<ThroughputSample> HttpThroughput { get; init; } = [];

    /// <summary>The same repeats on corosync 3, when --corosync asked for them.</summary>
    public CorosyncFigures? Corosync { get; init; }

    /// <summary>With crypto: the suite against crypto none, interleaved on two rings (<see cref="CryptoComparison"/>).</summary>
    public CryptoComparisonResult? Crypto { get; init; }

    /// <summary>Which totemd the nodes ran (<see cref="LocalRing.TotemdProgram"/>: NativeAOT, ReadyToRun or JIT).</summary>
    public string Program { get; init; } = "?";

    /// <summary>The memory sample taken when every throughput run is over.</summary>
    public const string LoadedWhen = "after the throughput runs";

    /// <summary>The memory sample taken <see cref="SettleTime"/> after <see cref="LoadedWhen"/>, the ring idle meanwhile.</summary>
    public const string SettledWhen = "3 s after the throughput runs";

    /// <summary>How long the ring idles between <see cref="LoadedWhen"/> and <see cref="SettledWhen"/> (totemd's IdleMemoryTrim looks every second).</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(3);

    public string Report()
    {
        var c = CultureInfo.InvariantCulture;
        var b = new StringBuilder();
        var spec = Options.Spec;
        b.AppendLine(c, $"ringbench: {spec.Nodes} totemd processes on 127.0.0.1..{spec.Nodes}, token {spec.Token} + coefficient {spec.TokenCoefficient} -> effective token {Timeouts.Token} ms, consensus {Timeouts.Consensus} ms; {Options.Repeats} repeats, {Environment.ProcessorCount} CPUs, totemd {Program}");
        b.AppendLine();
        b.AppendLine("                                          min     median        max");
        Row(b, "cold start -> quorate ring (ms)", ColdStartMs);
        Row(b, "SIGKILL -> new membership (ms)", Kills.Select(k => k.ReformMs).ToArray());
        Row(b, "restart -> rejoined, quorate (ms)", RejoinMs);
        b.AppendLine(c, $"  (expected for a crash: effective token + consensus = {Timeouts.Token + Timeouts.Consensus} ms, plus tens of ms; victims {string.Join(",", Kills.Select(k => k.Victim))})");
        if (Corosync is { } cs)
        {
            b.AppendLine();
            b.AppendLine(c, $"{cs.Version}, udpu, one network namespace per node, the same keys, each repeat right after ours:");
            b.AppendLine(c, $"  scheduling: {cs.Scheduling ?? "not seen"}");
            Row(b, "cold start -> quorate ring (ms)", cs.ColdStartMs);
            Row(b, "SIGKILL -> new membership (ms)", cs.Kills.Select(k => k.ReformMs).ToArray());
            Row(b, "restart -> rejoined, quorate (ms)", cs.RejoinMs);
            b.AppendLine();
            b.AppendLine("totemd / corosync (ratio of medians; of min and max in brackets):");
            Ratio(b, "cold start -> quorate ring", ColdStartMs, cs.ColdStartMs);
            Ratio(b, "SIGKILL -> new membership", Kills.Select(k => k.ReformMs).ToArray(), cs.Kills.Select(k => k.ReformMs).ToArray());
            Ratio(b, "restart -> rejoined, quorate", RejoinMs, cs.RejoinMs);
        }
        if (Throughput.Count > 0)
        {
            b.AppendLine();
            b.AppendLine(c, $"ordered throughput through the client sockets (each sender one client, batches flat out; timed until a subscriber on every node saw every message){(HttpThroughput.Count > 0 ? "; HTTP: one POST /v1/messages per message, " + Options.InFlight + " in flight per sender" : "")}:");
            foreach (var t in Throughput)
            {
                var http = HttpThroughput.FirstOrDefault(h => h.Senders == t.Senders && h.PayloadBytes == t.PayloadBytes);
                var versus = http is null ? "" : string.Create(c, $"   HTTP {http.MessagesPerSecond,7:0} msg/s ({t.MessagesPerSecond / http.MessagesPerSecond:0.0}x)");
                b.AppendLine(c, $"  {t.Senders} sender(s) x {t.PayloadBytes,5} B: {t.MessagesPerSecond,8:0} msg/s {t.MessagesPerSecond * t.PayloadBytes / (1024 * 1024),7:0.0} MiB/s  ({t.Messages} messages in {t.ElapsedMs:0} ms, {t.FullQueueRetries} TRY_AGAIN){versus}");
            }
        }
        if (Latency.Count > 0)
        {
            b.AppendLine();
            b.AppendLine("submit -> delivered latency through the client sockets, 1 sender at half its peak rate (ms; every node's deliveries | until the last node delivered):");
            foreach (var l in Latency)
                b.AppendLine(c, $"  {l.PayloadBytes,5} B at {l.RatePerSecond,7:0} msg/s (achieved {l.AchievedPerSecond:0}): p50 {l.P50Ms,7:0.00}  p99 {l.P99Ms,7:0.00}  |  all nodes p50 {l.AllNodesP50Ms,7:0.00}  p99 {l.AllNodesP99Ms,7:0.00}  ({l.Messages} messages)");
        }
        if (Crypto is { } crypto)
        {
            b.AppendLine();
            b.Append(crypto.Report());
        }
        if (Memory.Count > 0)
        {
            b.AppendLine();
            b.AppendLine(c, $"resident memory per node (VmRSS, MiB; in this order: the idle ring before the throughput runs, right after the last of them, then {SettleTime.TotalSeconds:0} s later):");
            foreach (var group in Memory.GroupBy(m => m.When))
                b.AppendLine(c, $"  {group.Key,-30} {string.Join("  ", group.Select(m => string.Create(c, $"node{m.Node} {m.ResidentKiB / 1024.0:0.0}")))}");
        }
        Ringbench.Corosync.ThroughputComparison.Append(b, this);
        StartUp(b);
        return b.ToString();
    }

    /// <summary>Per node of the last ring: idle RSS and process start -> first ring; then the median phases over every start.</summary>
    private void StartUp(StringBuilder b)
    {
        var c = CultureInfo.InvariantCulture;
        var idle = Memory.Where(m => m.When == "idle ring").ToArray();
        var last = Phases.GroupBy(p => p.Node).ToDictionary(g => g.Key, g => g.Last());
        if (idle.Length == 0 && last.Count == 0) return;
        b.AppendLine();
        b.AppendLine("per node, last ring (idle VmRSS, MiB, with its parts; process start -> its first ring, from totemd's start-up line):");
        foreach (var n in Enumerable.Range(1, Options.Spec.Nodes))
        {
            var sample = idle.FirstOrDefault(m => m.Node == n);
            var rss = sample is { } m ? string.Create(c, $"{m.ResidentKiB / 1024.0,6:0.0} MiB") : "     ? MiB";
            var parts = sample?.Breakdown is { } d
                ? string.Create(c, $"  (anon {d.Anon / 1024.0:0.0}, file {d.File / 1024.0:0.0}, shmem {d.Shmem / 1024.0:0.0}; PSS {d.Pss / 1024.0:0.0})")
                : "";
            var ring = last.TryGetValue(n, out var p) && FirstRing(p) is { } ms ? string.Create(c, $"{ms,6:0} ms") : "     ? ms";
            b.AppendLine(c, $"  node{n,-3} idle RSS {rss}{parts}   ring of one formed {ring}");
        }
        PhaseTable(b, $"cold starts ({Options.Spec.Nodes} processes at once)", Phases.Where(p => !p.Restart).ToArray());
        PhaseTable(b, "restarts (one process, the others idle)", Phases.Where(p => p.Restart).ToArray());
        b.AppendLine();
        if (idle.Length > 0)
        {
            var worst = idle.Max(m => m.ResidentKiB) / 1024.0;
            b.AppendLine(c, $"budget: idle RSS <= {IdleRssBudgetMiB:0} MiB per node: largest {worst:0.0} MiB (node {idle.MaxBy(m => m.ResidentKiB)!.Node}) -> {(worst <= IdleRssBudgetMiB ? "ok" : "OVER")}");
        }
        foreach (var when in new[] { LoadedWhen, SettledWhen })
        {
            var loaded = Memory.Where(m => m.When == when).ToArray();
            if (loaded.Length == 0) continue;
            var worst = loaded.Max(m => m.ResidentKiB) / 1024.0;
            b.AppendLine(c, $"budget: RSS {when} <= {LoadedRssBudgetMiB:0} MiB per node: largest {worst:0.0} MiB (node {loaded.MaxBy(m => m.ResidentKiB)!.Node}) -> {(worst <= LoadedRssBudgetMiB ? "ok" : "OVER")}");
        }
        // A lone start is what the budget is about; a cold start of N at once shares the CPUs N ways.
        var basis = Phases.Any(p => p.Restart) ? Phases.Where(p => p.Restart) : Phases;
        var ready = basis.Select(p => p.Phases.TryGetValue(StartupPhases.ActorSystemReady, out var v) ? v : (double?)null).OfType<double>().ToArray();
        if (ready.Length > 0)
        {
            var median = Median(ready);
            b.AppendLine(c, $"budget: process start -> actor system ready <= {ActorSystemReadyBudgetMs:0} ms median of {(Phases.Any(p => p.Restart) ? "the restarts" : "all starts")}: {median:0} ms -> {(median <= ActorSystemReadyBudgetMs ? "ok" : "OVER")}");
        }
    }

    private static void PhaseTable(StringBuilder b, string what, IReadOnlyList<PhaseSample> samples)
    {
        if (samples.Count == 0) return;
        var c = CultureInfo.InvariantCulture;
        var names = samples.SelectMany(p => p.Phases).GroupBy(kv => kv.Key)
            .Select(g => (Name: g.Key, Median: Median(g.Select(kv => kv.Value).ToArray()), Count: g.Count()))
            .OrderBy(x => x.Median).ToArray();
        b.AppendLine();
        b.AppendLine(c, $"start-up phases of {what}, median over {samples.Count} starts (ms since process start):");
        foreach (var (name, median, count) in names)
            b.AppendLine(c, $"  {name,-24} {median,7:0}{(count < samples.Count ? $"   ({count} starts)" : "")}");
    }

    private static double? FirstRing(PhaseSample p) =>
        p.Phases.TryGetValue(StartupPhases.RingOfOneFormed, out var one) ? one
        : p.Phases.TryGetValue(StartupPhases.FirstRingFormed, out var first) ? first : null;

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static void Ratio(StringBuilder b, string name, IReadOnlyList<double> ours, IReadOnlyList<double> theirs)
    {
        if (ours.Count == 0 || theirs.Count == 0) return;
        b.AppendLine(CultureInfo.InvariantCulture,
            $"  {name,-36} {Median(ours) / Median(theirs),6:0.00}   ({ours.Min() / theirs.Min():0.00} .. {ours.Max() / theirs.Max():0.00})");
    }

    private static void Row(StringBuilder b, string name, IReadOnlyList<double> values)
    {
        if (values.Count == 0) return;
        b.AppendLine(CultureInfo.InvariantCulture, $"  {name,-36} {values.Min(),8:0} {Median(values),10:0} {values.Max(),10:0}");
    }
}
