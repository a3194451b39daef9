using System.Globalization;
using Totem.Host.Ringbench.LocalRing;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;

namespace Totem.Host.Ringbench.Bench;

/// <summary>
/// Issue 12's throughput target measured so that drift cancels: a ring with the suite and a ring with crypto none (both
/// knet, so only the seal differs) are up side by side, and every workload row runs on one, then on the other, the one
/// going first alternating by row and by round (ABBA...), <c>rounds</c> times. Between runs the rings only idle, and an
/// idle ring's CPU is measured with the other's runs, so what the load did to one run it did to its neighbour.
/// Per run it also reads what the ring spent: CPU time of its processes, datagrams sent, retransmissions, token hops
/// (the nodes' /metrics), which is where a difference between the suites shows when there is one.
/// </summary>
public sealed class CryptoComparison(BenchOptions options, TextWriter output)
{
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Messages of the unrecorded first run on each ring (5 senders x 64 B): start-up (heaps growing, first connections) stays out of the figures.</summary>
    private const int WarmUpMessages = 10_000;

    public async Task<CryptoComparisonResult> RunAsync(int rounds, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var suite = TotemCrypto.ParseSuite(options.Spec.Crypto, out var error) ?? throw new ArgumentException($"crypto {error}", nameof(options));
        if (!options.Spec.Sealed) throw new ArgumentException("the comparison needs a crypto suite (crypto none is the baseline)", nameof(options));
        var nodes = Enumerable.Range(1, options.Spec.Nodes).ToArray();
        await using var sealedRing = LocalRing.LocalRing.Create(options.Spec);
        await using var clearRing = LocalRing.LocalRing.Create(options.Spec with { Crypto = "none", Transport = "knet" });
        sealedRing.StartAll();
        clearRing.StartAll();
        await sealedRing.WaitForRingAsync(nodes, quorate: true, FormTimeout, options.PollInterval).ConfigureAwait(false);
        await clearRing.WaitForRingAsync(nodes, quorate: true, FormTimeout, options.PollInterval).ConfigureAwait(false);
        await output.WriteLineAsync($"crypto comparison: {options.Spec.Crypto} ring (UDP port {sealedRing.RingPort}) and crypto none ring (UDP port {clearRing.RingPort}), {nodes.Length} nodes each, both knet, {rounds} round(s)").ConfigureAwait(false);

        await using var sealedLoad = await RingWorkload.OpenAsync(sealedRing, nodes, output, ct).ConfigureAwait(false);
        await using var clearLoad = await RingWorkload.OpenAsync(clearRing, nodes, output, ct).ConfigureAwait(false);
        foreach (var load in new[] { sealedLoad, clearLoad })
            await load.RunAsync(nodes.Length, WarmUpMessages / nodes.Length, 64, rate: 0, ct).ConfigureAwait(false);

        var rows = options.PayloadSizes.SelectMany(size => new[] { (Senders: 1, Size: size), (Senders: nodes.Length, Size: size) }).ToArray();
        var samples = new List<CryptoRunSample>();
        for (var round = 1; round <= rounds; round++)
        {
            for (var i = 0; i < rows.Length; i++)
            {
                var (senders, size) = rows[i];
                var sealedFirst = (round + i) % 2 == 1;
                foreach (var isSealed in sealedFirst ? new[] { true, false } : [false, true])
                {
                    var (ring, other, load) = isSealed ? (sealedRing, clearRing, sealedLoad) : (clearRing, sealedRing, clearLoad);
                    var sample = await MeasureAsync(ring, other, load, isSealed, round, senders, size, ct).ConfigureAwait(false);
                    samples.Add(sample);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"round {round}: {(isSealed ? options.Spec.Crypto : "none"),-14} {senders} sender(s) x {size,5} B: {sample.Run.MessagesPerSecond,8:0} msg/s, ring CPU {sample.CpuUsPerMessage,7:0.0} µs/msg, {sample.DatagramsPerMessage:0.000} datagrams/msg, {sample.Retransmits} retransmits, idle ring {sample.OtherRingCpuShare:P1} of a core")).ConfigureAwait(false);
                }
            }
        }
        // Per datagram, and no datagram is larger than a frame at corosync's netmtu 1500 (about 1.4 KB): larger messages
        // are fragmented by the packing layer, so their cost is that of 1.4 KB datagrams.
        var costs = options.PayloadSizes.Where(size => size < 1400).Append(1400).Select(size => SealCostSample.Measure(suite, size, 20_000)).ToArray();
        return new CryptoComparisonResult(options.Spec.Crypto, nodes.Length, rounds, samples, costs);
    }

    private async Task<CryptoRunSample> MeasureAsync(LocalRing.LocalRing ring, LocalRing.LocalRing other, RingWorkload load, bool isSealed, int round,
        int senders, int size, CancellationToken ct)
    {
        var before = await RingCounters.ReadAsync(ring, ct).ConfigureAwait(false);
        var otherBefore = RingCounters.CpuOf(other);
        var run = await load.RunAsync(senders, options.MessagesFor(size) / senders, size, rate: 0, ct).ConfigureAwait(false);
        var otherCpu = RingCounters.CpuOf(other) - otherBefore;
        var spent = await RingCounters.ReadAsync(ring, ct).ConfigureAwait(false) - before;
        return new CryptoRunSample(isSealed, round, run, spent.Cpu.TotalMilliseconds, otherCpu.TotalMilliseconds, spent.DatagramsSent, spent.Retransmits, spent.Tokens);
    }
}
