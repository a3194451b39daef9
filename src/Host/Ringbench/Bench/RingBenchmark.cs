using System.Diagnostics;
using Totem.Client;
using Totem.Host.Ringbench.Corosync;
using Totem.Host.Ringbench.LocalRing;
using Totem.Host.Totemd.Logging;
using Totem.Protocol.Wire;

namespace Totem.Host.Ringbench.Bench;

/// <summary>
/// The multi-process benchmark: for each repeat a fresh ring of real totemd processes is cold-started
/// (time to one quorate ring of all nodes), one node is SIGKILLed (time until every survivor reports
/// the new membership, polled every <see cref="BenchOptions.PollInterval"/>), and on the last ring the
/// victim is restarted, then ordered throughput and resident memory are measured. With --corosync each repeat
/// is then run once more on a ring of corosync 3 processes (<see cref="CorosyncRing"/>): cold start, the same
/// victim's SIGKILL and its restart, timed the same way.
/// </summary>
public sealed class RingBenchmark(BenchOptions options, TextWriter output)
{
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(90);

    public async Task<BenchResult> RunAsync(CancellationToken ct)
    {
        var all = Enumerable.Range(1, options.Spec.Nodes).ToArray();
        CorosyncFigures? corosync = null;
        CpgBenchProgram? cpg = null;
        if (options.Corosync)
        {
            if (CorosyncRing.Unavailable() is { } why) throw new InvalidOperationException($"--corosync: {why}");
            corosync = new CorosyncFigures(await CorosyncRing.VersionAsync().ConfigureAwait(false));
            // Built before anything runs: a machine without clang or libcpg-dev fails here, with what to install.
            cpg = await CpgBenchProgram.BuildAsync(ct).ConfigureAwait(false);
        }
        try
        {
            return await RunRepeatsAsync(all, corosync, cpg, ct).ConfigureAwait(false);
        }
        finally
        {
            cpg?.Dispose();
        }
    }

    private async Task<BenchResult> RunRepeatsAsync(int[] all, CorosyncFigures? corosync, CpgBenchProgram? cpg, CancellationToken ct)
    {
        var coldStarts = new List<double>();
        var reforms = new List<KillSample>();
        var rejoins = new List<double>();
        var throughput = new Throughput([], [], []);
        IReadOnlyList<MemorySample> memory = [];
        var phases = new List<PhaseSample>();
        var program = "?";
        Totem.Protocol.Config.TotemTimeouts? timeouts = null;

        for (var r = 1; r <= options.Repeats; r++)
        {
            var victim = (r - 1) % all.Length + 1;
            // Its own scope: the ring is gone before corosync's repeat starts.
            {
                ct.ThrowIfCancellationRequested();
                await using var ring = LocalRing.LocalRing.Create(options.Spec);
                timeouts = ring.Timeouts;
                program = ring.Program.Kind;
                var clock = Stopwatch.StartNew();
                ring.StartAll();
                await ring.WaitForRingAsync(all, quorate: true, FormTimeout, options.PollInterval).ConfigureAwait(false);
                coldStarts.Add(clock.Elapsed.TotalMilliseconds);
                await output.WriteLineAsync($"repeat {r}: cold start to a quorate {all.Length}-node ring {clock.Elapsed.TotalMilliseconds:0} ms").ConfigureAwait(false);

                phases.AddRange(await PhasesAsync(ring, all, restart: false).ConfigureAwait(false));

                var survivors = all.Where(n => n != victim).ToArray();
                clock.Restart();
                ring.Kill(victim);
                await ring.WaitForRingAsync(survivors, quorate: survivors.Length * 2 > all.Length, FormTimeout, options.PollInterval).ConfigureAwait(false);
                var reform = clock.Elapsed.TotalMilliseconds;
                reforms.Add(new KillSample(victim, reform));
                await output.WriteLineAsync($"repeat {r}: SIGKILL node {victim} -> new membership [{string.Join(",", survivors)}] on every survivor after {reform:0} ms").ConfigureAwait(false);

                await ring.Process(victim).WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                clock.Restart();
                ring.Start(victim);
                await ring.WaitForRingAsync(all, quorate: true, FormTimeout, options.PollInterval).ConfigureAwait(false);
                rejoins.Add(clock.Elapsed.TotalMilliseconds);
                await output.WriteLineAsync($"repeat {r}: node {victim} restarted -> {all.Length} members again after {clock.Elapsed.TotalMilliseconds:0} ms").ConfigureAwait(false);
                phases.AddRange(await PhasesAsync(ring, [victim], restart: true).ConfigureAwait(false));

                if (r == options.Repeats)
                {
                    var idle = Memory(ring, "idle ring");
                    throughput = await MeasureThroughputAsync(ring, all, ct).ConfigureAwait(false);
                    var loaded = Memory(ring, BenchResult.LoadedWhen);
                    await Task.Delay(BenchResult.SettleTime, ct).ConfigureAwait(false);
                    memory = [.. idle, .. loaded, .. Memory(ring, BenchResult.SettledWhen)];
                }
            }
            if (corosync is not null)
            {
                // After this repeat's totemd ring and before the next: both see the same machine, load drifts and all.
                await CorosyncRepeatAsync(r, victim, corosync, r == options.Repeats ? cpg : null, ct).ConfigureAwait(false);
            }
        }
        var result = new BenchResult(options, timeouts!, coldStarts, reforms, rejoins, throughput.Socket, memory)
        {
            Phases = phases, Program = program, Corosync = corosync, Latency = throughput.Latency, HttpThroughput = throughput.Http,
        };
        if (!options.Spec.Sealed) return result;
        // The target is judged on two fresh rings measured alternately, not on this one against a ring started after it.
        return result with { Crypto = await new CryptoComparison(options, output).RunAsync(options.CryptoRounds, ct).ConfigureAwait(false) };
    }

    /// <summary>The same repeat on corosync 3: cold start to a quorate ring, SIGKILL of the same victim, its restart.</summary>
    /// <param name="cpg">On the last repeat: the CPG client, and the throughput workload runs on the restored ring.</param>
    private async Task CorosyncRepeatAsync(int r, int victim, CorosyncFigures figures, CpgBenchProgram? cpg, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var all = Enumerable.Range(1, options.Spec.Nodes).ToArray();
        var survivors = all.Where(n => n != victim).ToArray();
        await using var ring = await CorosyncRing.CreateAsync(options.Spec, options.CorosyncRealtime).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        ring.StartAll();
        await ring.WaitForRingAsync(all, quorate: true, FormTimeout, options.PollInterval).ConfigureAwait(false);
        figures.ColdStartMs.Add(clock.Elapsed.TotalMilliseconds);
        // Read once the ring runs: corosync sets its scheduling after it starts.
        figures.Scheduling ??= $"{CorosyncScheduling.Chosen(options.CorosyncRealtime)}; observed on corosync node 1: {CorosyncScheduling.Observed(ring.Process(1).Pid) ?? "gone"}";
        await output.WriteLineAsync($"repeat {r}: corosync: cold start to a quorate {all.Length}-node ring {clock.Elapsed.TotalMilliseconds:0} ms").ConfigureAwait(false);

        clock.Restart();
        ring.Kill(victim);
        await ring.WaitForRingAsync(survivors, quorate: survivors.Length * 2 > all.Length, FormTimeout, options.PollInterval).ConfigureAwait(false);
        figures.Kills.Add(new KillSample(victim, clock.Elapsed.TotalMilliseconds));
        await output.WriteLineAsync($"repeat {r}: corosync: SIGKILL node {victim} -> new membership on every survivor after {clock.Elapsed.TotalMilliseconds:0} ms").ConfigureAwait(false);

        await ring.Process(victim).WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        clock.Restart();
        ring.Start(victim);
        await ring.WaitForRingAsync(all, quorate: true, FormTimeout, options.PollInterval).ConfigureAwait(false);
        figures.RejoinMs.Add(clock.Elapsed.TotalMilliseconds);
        await output.WriteLineAsync($"repeat {r}: corosync: node {victim} restarted -> {all.Length} members again after {clock.Elapsed.TotalMilliseconds:0} ms").ConfigureAwait(false);

        if (cpg is null) return;
        figures.Memory.AddRange(all.Select(n => new MemorySample(n, "idle ring", ring.Process(n).ResidentKiB() ?? 0)));
        var (throughput, latency, failures) = await new CorosyncThroughput(options, output).MeasureAsync(ring, cpg, all, ct).ConfigureAwait(false);
        figures.Throughput.AddRange(throughput);
        figures.Latency.AddRange(latency);
        figures.Failures.AddRange(failures);
        figures.Memory.AddRange(all.Select(n => new MemorySample(n, BenchResult.LoadedWhen, ring.Process(n).ResidentKiB() ?? 0)));
        await Task.Delay(BenchResult.SettleTime, ct).ConfigureAwait(false);
        figures.Memory.AddRange(all.Select(n => new MemorySample(n, BenchResult.SettledWhen, ring.Process(n).ResidentKiB() ?? 0)));
    }

    /// <summary>
    /// Ordered throughput through the nodes' client sockets (1 and N senders per payload size, each sender one client
    /// pumping batches flat out; timed until a subscriber on every node has seen every message), then, per size, the
    /// submit-to-delivered latency at half that size's 1-sender peak; with --http the POST /v1/messages figures too.
    /// </summary>
    private async Task<Throughput> MeasureThroughputAsync(LocalRing.LocalRing ring, int[] nodes, CancellationToken ct)
    {
        var samples = new List<ThroughputSample>();
        var latencies = new List<LatencySample>();
        IReadOnlyList<ThroughputSample> http = [];
        await using (var workload = await RingWorkload.OpenAsync(ring, nodes, output, ct).ConfigureAwait(false))
        {
            foreach (var size in options.PayloadSizes)
            {
                foreach (var senders in new[] { 1, nodes.Length })
                {
                    var sample = await workload.RunAsync(senders, options.MessagesFor(size) / senders, size, rate: 0, ct).ConfigureAwait(false);
                    samples.Add(sample);
                    await output.WriteLineAsync($"throughput (client socket): {senders} sender(s), {size} B: {sample.Messages} messages delivered on all {nodes.Length} nodes in {sample.ElapsedMs:0} ms = {sample.MessagesPerSecond:0} msg/s ({sample.FullQueueRetries} TRY_AGAIN)").ConfigureAwait(false);
                }
                var peak = samples.Where(t => t.PayloadBytes == size && t.Senders == 1).Max(t => t.MessagesPerSecond);
                var rate = Math.Max(1, peak / 2);
                var count = (long)Math.Clamp(rate * LatencySeconds, 50, options.MessagesFor(size));
                workload.Watch.StartLatency(1, count);
                var paced = await workload.RunAsync(1, count, size, rate, ct).ConfigureAwait(false);
                var (perNode, allNodes) = workload.Watch.StopLatency();
                var latency = new LatencySample(size, rate, paced.MessagesPerSecond, paced.Messages, Percentile(perNode, 0.5), Percentile(perNode, 0.99), Percentile(allNodes, 0.5), Percentile(allNodes, 0.99));
                latencies.Add(latency);
                await output.WriteLineAsync($"latency (client socket): 1 sender, {size} B at {rate:0} msg/s: submit -> delivered p50 {latency.P50Ms:0.00} ms, p99 {latency.P99Ms:0.00} ms (on all nodes: p50 {latency.AllNodesP50Ms:0.00}, p99 {latency.AllNodesP99Ms:0.00})").ConfigureAwait(false);
            }
            // With the same subscribers on every node and timed by them: the two paths differ only in how messages go in.
            if (options.Http) http = await MeasureHttpThroughputAsync(ring, nodes, workload, ct).ConfigureAwait(false);
        }
        return new Throughput(samples, latencies, http);
    }

    /// <summary>How long a latency run sends at half the peak rate.</summary>
    internal const double LatencySeconds = 3;

    internal static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];

    /// <summary>The HTTP path's figures in the same run (--http): one POST per message, <see cref="BenchOptions.InFlight"/> in flight per sender.</summary>
    private async Task<IReadOnlyList<ThroughputSample>> MeasureHttpThroughputAsync(LocalRing.LocalRing ring, int[] nodes, RingWorkload workload, CancellationToken ct)
    {
        var samples = new List<ThroughputSample>();
        foreach (var size in options.PayloadSizes.Where(s => s <= 1024))
        {
            foreach (var senders in new[] { 1, nodes.Length })
            {
                var perSender = options.HttpMessages / senders;
                var total = perSender * senders;
                var clock = Stopwatch.StartNew();
                var payloads = Enumerable.Range(0, senders).Select(s => HttpMessagePump.Payloads(s + 1, perSender, size)).ToArray();
                var sends = Enumerable.Range(0, senders)
                    .Select(s => HttpMessagePump.SendAsync(ring.Client(nodes[s]), payloads[s], options.InFlight, ct))
                    .ToArray();
                var retries = (await Task.WhenAll(sends).ConfigureAwait(false)).Sum(p => p.FullQueueRetries);
                var accepted = clock.Elapsed.TotalMilliseconds;
                await workload.WaitForMoreAsync(total, ct).ConfigureAwait(false);
                var elapsed = clock.Elapsed.TotalMilliseconds;
                for (var s = 0; s < senders; s++)
                    foreach (var payload in payloads[s]) workload.Watch.History.Submitted(new NodeId((uint)nodes[s]), payload);
                await workload.CheckAsync($"HTTP {senders} sender(s) x {size} B").ConfigureAwait(false);
                var sample = new ThroughputSample(senders, size, total, elapsed, total / (elapsed / 1000), accepted, retries);
                samples.Add(sample);
                await output.WriteLineAsync($"throughput (HTTP): {senders} sender(s), {size} B: {total} messages delivered on all {nodes.Length} nodes in {elapsed:0} ms = {sample.MessagesPerSecond:0} msg/s ({retries} full-queue retries)").ConfigureAwait(false);
            }
        }
        return samples;
    }

    /// <summary>
    /// Each node's start-up line ("Start-up phases (ms since process start): ..."), logged once its
    /// first ring formed and its control API listens; waited for a little, since a quorate ring can
    /// be seen a moment before the line is written.
    /// </summary>
    private static async Task<PhaseSample[]> PhasesAsync(LocalRing.LocalRing ring, IEnumerable<int> nodes, bool restart)
    {
        var samples = new List<PhaseSample>();
        foreach (var n in nodes)
        {
            var process = ring.Process(n);
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var line = process.Lines().FirstOrDefault(l => l.Contains(StartupPhases.LinePrefix, StringComparison.Ordinal));
                if (line is not null)
                {
                    samples.Add(new PhaseSample(n, StartupPhases.Parse(line), restart));
                    break;
                }
                if (clock.Elapsed > TimeSpan.FromSeconds(10) || process.HasExited) break;
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
        return [.. samples];
    }

    /// <summary>What <see cref="MeasureThroughputAsync"/> measured.</summary>
    private sealed record Throughput(IReadOnlyList<ThroughputSample> Socket, IReadOnlyList<LatencySample> Latency, IReadOnlyList<ThroughputSample> Http);

    private static MemorySample[] Memory(LocalRing.LocalRing ring, string when) =>
        ring.NodeIds.Select(n => new MemorySample(n, when, ring.Process(n).ResidentKiB() ?? 0) { Breakdown = ring.Process(n).ResidentBreakdownKiB() }).ToArray();
}
