using System.Globalization;
using System.Text;
using Totem.Nodes.Transport;

namespace Totem.Host.Ringbench.Bench;

/// <summary>One timed run of the comparison on one ring, with what that ring spent on it and what the idle ring spent meanwhile.</summary>
public sealed record CryptoRunSample(bool Sealed, int Round, ThroughputSample Run, double RingCpuMs, double OtherRingCpuMs, long DatagramsSent, long Retransmits, long Tokens)
{
    public double CpuUsPerMessage => RingCpuMs * 1000 / Run.Messages;

    public double DatagramsPerMessage => (double)DatagramsSent / Run.Messages;

    /// <summary>The other (idle) ring's CPU during this run, as a share of one core.</summary>
    public double OtherRingCpuShare => OtherRingCpuMs / Run.ElapsedMs;

    public double TokenHopsPerSecond => Tokens / (Run.ElapsedMs / 1000);
}

/// <summary>What <see cref="CryptoComparison"/> measured, and its report against issue 12's targets.</summary>
public sealed record CryptoComparisonResult(string Suite, int Nodes, int Rounds, IReadOnlyList<CryptoRunSample> Samples, IReadOnlyList<SealCostSample> SealCosts)
{
    /// <summary>Issue 12: throughput with crypto at least this share of crypto none, judged per row on the medians over the rounds.</summary>
    public const double ThroughputTarget = 0.85;

    /// <summary>The workload rows in the order they ran.</summary>
    public IReadOnlyList<(int Senders, int Bytes)> Rows => Samples.Select(s => (s.Run.Senders, s.Run.PayloadBytes)).Distinct().ToArray();

    public IReadOnlyList<CryptoRunSample> Of(int senders, int bytes, bool isSealed) =>
        Samples.Where(s => s.Sealed == isSealed && s.Run.Senders == senders && s.Run.PayloadBytes == bytes).OrderBy(s => s.Round).ToArray();

    /// <summary>Sealed msg/s over crypto none's msg/s of the same row in the same round.</summary>
    public IReadOnlyList<double> PairedRatios(int senders, int bytes) =>
        Of(senders, bytes, true).Join(Of(senders, bytes, false), s => s.Round, c => c.Round, (s, c) => s.Run.MessagesPerSecond / c.Run.MessagesPerSecond).ToArray();

    public double RatioOfMedians(int senders, int bytes) =>
        Median(Of(senders, bytes, true).Select(s => s.Run.MessagesPerSecond)) / Median(Of(senders, bytes, false).Select(s => s.Run.MessagesPerSecond));

    public bool Met(int senders, int bytes) => RatioOfMedians(senders, bytes) >= ThroughputTarget;

    public string Report()
    {
        var c = CultureInfo.InvariantCulture;
        var b = new StringBuilder();
        b.AppendLine(c, $"crypto {Suite} vs none: two rings of {Nodes} nodes (both knet) up side by side, each row run on one then the other, alternating which goes first (ABBA), {Rounds} round(s); target: the median with crypto >= {ThroughputTarget:P0} of the median without");
        b.AppendLine(c, $"  {"row",-22} {"none msg/s",19} {Suite + " msg/s",23} {"ratio of",10} {"paired ratio",17}");
        b.AppendLine(c, $"  {"",-22} {"median",9} {"min",9} {"median",11} {"min",11} {"medians",10} {"median",8} {"min",8}");
        foreach (var (senders, bytes) in Rows)
        {
            var clear = Of(senders, bytes, false).Select(s => s.Run.MessagesPerSecond).ToArray();
            var sealedRuns = Of(senders, bytes, true).Select(s => s.Run.MessagesPerSecond).ToArray();
            var paired = PairedRatios(senders, bytes);
            var ratio = RatioOfMedians(senders, bytes);
            b.AppendLine(c, $"  {senders} sender(s) x {bytes,5} B: {Median(clear),9:0} {clear.Min(),9:0} {Median(sealedRuns),11:0} {sealedRuns.Min(),11:0} {ratio,10:P1} {Median(paired),8:P1} {paired.DefaultIfEmpty(double.NaN).Min(),8:P1} -> {(ratio >= ThroughputTarget ? "met" : "MISSED")}");
        }
        var met = Rows.Count(r => Met(r.Senders, r.Bytes));
        b.AppendLine(c, $"  {met} of {Rows.Count} rows met the target on the medians");
        b.AppendLine();
        b.AppendLine(c, $"what each ring spent per run (medians over the rounds, none | {Suite}): CPU of its {Nodes} processes per message, datagrams sent per message, retransmissions, token hops/s; the idle ring's CPU meanwhile (share of one core)");
        foreach (var (senders, bytes) in Rows)
        {
            var clear = Of(senders, bytes, false);
            var sealedRuns = Of(senders, bytes, true);
            b.AppendLine(c, $"  {senders} sender(s) x {bytes,5} B: CPU {Median(clear.Select(s => s.CpuUsPerMessage)),8:0.0} | {Median(sealedRuns.Select(s => s.CpuUsPerMessage)),8:0.0} µs/msg   datagrams {Median(clear.Select(s => s.DatagramsPerMessage)),7:0.000} | {Median(sealedRuns.Select(s => s.DatagramsPerMessage)),7:0.000}   retransmits {Median(clear.Select(s => (double)s.Retransmits)),5:0} | {Median(sealedRuns.Select(s => (double)s.Retransmits)),5:0}   tokens/s {Median(clear.Select(s => s.TokenHopsPerSecond)),6:0} | {Median(sealedRuns.Select(s => s.TokenHopsPerSecond)),6:0}   idle ring {Median(clear.Select(s => s.OtherRingCpuShare)),5:P1} | {Median(sealedRuns.Select(s => s.OtherRingCpuShare)),5:P1}");
        }
        foreach (var s in SealCosts)
            b.AppendLine(c, $"  seal/open of one {s.PlainBytes,5} B datagram ({s.WireBytes} B on the wire): {s.SealCpuUs:F2} / {s.OpenCpuUs:F2} µs CPU ({s.SealUs:F2} / {s.OpenUs:F2} µs wall) -> {(s.WithinBudget ? "met" : "MISSED")} (budget {SealCostSample.BudgetMicroseconds} µs)");
        return b.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
