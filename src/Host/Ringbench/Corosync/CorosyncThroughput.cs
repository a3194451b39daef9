using System.Diagnostics;
using System.Globalization;
using Totem.Host.Ringbench.Bench;

namespace Totem.Host.Ringbench.Corosync;

/// <summary>
/// ringbench's throughput workload on a ring of corosync 3 processes, measured as ours is: a cpgbench client in every
/// node's namespace joined to one CPG group; per payload size 1 and N senders (each one client multicasting
/// CPG_TYPE_AGREED flat out, retrying on CS_ERR_TRY_AGAIN) send <see cref="BenchOptions.MessagesFor"/> messages in all,
/// timed from the send commands until the client on every node delivered every message; then 1 sender paced at half
/// that size's 1-sender peak for the same time as ours, submit -> delivered on every node. Every node must report one
/// delivery order (the same digest), each sender's messages in its order and nothing else delivered.
/// </summary>
public sealed class CorosyncThroughput(BenchOptions options, TextWriter output)
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);
    private int _run;

    public async Task<(IReadOnlyList<ThroughputSample> Throughput, IReadOnlyList<LatencySample> Latency)> MeasureAsync(
        CorosyncRing ring, CpgBenchProgram program, int[] nodes, CancellationToken ct)
    {
        var clients = new List<CpgBenchClient>();
        try
        {
            foreach (var n in nodes) clients.Add(CpgBenchClient.Start(program, ring.Namespace(n), "ringbench", n));
            var clock = Stopwatch.StartNew();
            while (clients.Any(c => c.Members != nodes.Length))
            {
                if (clock.Elapsed > Answer)
                    throw new TimeoutException($"the cpgbench clients did not all see a group of {nodes.Length} within {Answer.TotalSeconds:0} s: members {string.Join(", ", clients.Select(c => $"node {c.Node}: {c.Members}"))}");
                await Task.Delay(20, ct).ConfigureAwait(false);
            }
            var samples = new List<ThroughputSample>();
            var latencies = new List<LatencySample>();
            foreach (var size in options.PayloadSizes)
            {
                foreach (var senders in new[] { 1, nodes.Length })
                {
                    var perSender = options.MessagesFor(size) / senders;
                    var (sample, _) = await RunAsync(clients, senders, perSender, size, rate: 0, latencyDirectory: null, ct).ConfigureAwait(false);
                    samples.Add(sample);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"corosync throughput (CPG): {senders} sender(s), {size} B: {sample.Messages} messages delivered on all {nodes.Length} nodes in {sample.ElapsedMs:0} ms = {sample.MessagesPerSecond:0} msg/s ({sample.FullQueueRetries} TRY_AGAIN)")).ConfigureAwait(false);
                }
                var peak = samples.Where(t => t.PayloadBytes == size && t.Senders == 1).Max(t => t.MessagesPerSecond);
                var rate = Math.Max(1, peak / 2);
                var count = (long)Math.Clamp(rate * RingBenchmark.LatencySeconds, 50, options.MessagesFor(size));
                var (paced, files) = await RunAsync(clients, 1, count, size, rate, ring.RunDirectory, ct).ConfigureAwait(false);
                var latency = Latency(files, nodes.Length, size, rate, paced);
                latencies.Add(latency);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"corosync latency (CPG): 1 sender, {size} B at {rate:0} msg/s: submit -> delivered p50 {latency.P50Ms:0.00} ms, p99 {latency.P99Ms:0.00} ms (on all nodes: p50 {latency.AllNodesP50Ms:0.00}, p99 {latency.AllNodesP99Ms:0.00})")).ConfigureAwait(false);
            }
            return (samples, latencies);
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Every node's latencies of one paced run (ms, sorted), and per message the time until the last node delivered it:
    /// <see cref="LatencySample"/> as ours gives it.
    /// </summary>
    public static LatencySample Latency(IReadOnlyList<IReadOnlyList<CpgLatency>> perNode, int nodes, int size, double rate, ThroughputSample paced)
    {
        var every = perNode.SelectMany(n => n).Select(l => l.Nanoseconds / 1e6).Order().ToArray();
        var allNodes = perNode.SelectMany(n => n).GroupBy(l => (l.Sender, l.Number))
            .Where(g => g.Count() == nodes).Select(g => g.Max(l => l.Nanoseconds) / 1e6).Order().ToArray();
        return new LatencySample(size, rate, paced.MessagesPerSecond, paced.Messages,
            RingBenchmark.Percentile(every, 0.5), RingBenchmark.Percentile(every, 0.99), RingBenchmark.Percentile(allNodes, 0.5), RingBenchmark.Percentile(allNodes, 0.99));
    }

    /// <summary>
    /// The judgement of one run's "done" answers: every node delivered the run's messages and only those, each sender's
    /// in its order, all in one order (one digest). Null when it holds, else what broke.
    /// </summary>
    public static string? Judge(IReadOnlyList<(int Node, CpgDone Done)> answers, long total)
    {
        var problems = new List<string>();
        foreach (var (node, done) in answers)
        {
            if (done.Count != total) problems.Add($"node {node} delivered {done.Count} of {total} messages");
            if (done.OrderErrors > 0) problems.Add($"node {node} delivered {done.OrderErrors} message(s) out of their sender's order");
            if (done.Strays > 0) problems.Add($"node {node} delivered {done.Strays} message(s) of no run being counted");
        }
        var orders = answers.GroupBy(a => a.Done.OrderHash).ToArray();
        if (orders.Length > 1)
            problems.Add($"the nodes delivered in {orders.Length} different orders: {string.Join("; ", orders.Select(g => $"{string.Join(",", g.Select(a => a.Node))} digest {g.Key:x16}"))}");
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>One run: every client counts it, the first <paramref name="senders"/> clients send; timed until every client delivered all.</summary>
    private async Task<(ThroughputSample Sample, IReadOnlyList<IReadOnlyList<CpgLatency>> Latencies)> RunAsync(
        List<CpgBenchClient> clients, int senders, long perSender, int size, double rate, string? latencyDirectory, CancellationToken ct)
    {
        var run = ++_run;
        var total = perSender * senders;
        var files = clients.Select(c => latencyDirectory is null ? "-" : Path.Combine(latencyDirectory, string.Create(CultureInfo.InvariantCulture, $"latency-run{run}-node{c.Node}.txt"))).ToArray();
        for (var i = 0; i < clients.Count; i++)
            await clients[i].SendAsync(string.Create(CultureInfo.InvariantCulture, $"expect {run} {total} {files[i]}")).ConfigureAwait(false);
        foreach (var c in clients) await c.NextAsync<CpgExpecting>(Answer, ct).ConfigureAwait(false);

        var clock = Stopwatch.StartNew();
        for (var s = 0; s < senders; s++)
            await clients[s].SendAsync(string.Create(CultureInfo.InvariantCulture, $"send {run} {perSender} {size} {rate:0.###}")).ConfigureAwait(false);
        var answers = new List<(int, CpgDone)>();
        // Counting and sending interleave on a sender's stdout: its "sent" may come before or after its "done".
        var sent = new CpgSent?[senders];
        for (var i = 0; i < clients.Count; i++)
        {
            while (true)
            {
                var line = await clients[i].NextAsync<CpgLine>(RunTimeout, ct).ConfigureAwait(false);
                if (line is CpgSent done && i < senders && sent[i] is null) sent[i] = done;
                else if (line is CpgDone d)
                {
                    answers.Add((clients[i].Node, d));
                    break;
                }
                else throw new InvalidOperationException($"cpgbench on corosync node {clients[i].Node} answered {line} during run {run}");
            }
        }
        var elapsed = clock.Elapsed.TotalMilliseconds;
        for (var i = 0; i < senders; i++) sent[i] ??= await clients[i].NextAsync<CpgSent>(Answer, ct).ConfigureAwait(false);
        if (Judge(answers, total) is { } broken)
            throw new InvalidOperationException($"corosync's run {run} ({senders} sender(s) x {size} B): {broken}");
        var latencies = latencyDirectory is null ? [] : files.Select(f => (IReadOnlyList<CpgLatency>)File.ReadLines(f).Select(CpgBenchLines.ParseLatency).ToArray()).ToArray();
        return (new ThroughputSample(senders, size, (int)total, elapsed, total / (elapsed / 1000), sent.Max(x => x!.ElapsedNs) / 1e6, sent.Sum(x => x!.TryAgains)), latencies);
    }
}
