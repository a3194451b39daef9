using System.Diagnostics;
using System.Globalization;
using Totem.Host.Ringbench.Bench;

namespace Totem.Host.Ringbench.Corosync;

/// <summary>
/// ringbench's throughput workload on a ring of corosync 3 processes, measured as ours is: a cpgbench client in every
/// node's namespace joined to one CPG group; per payload size 1 and N senders (each one client multicasting
/// CPG_TYPE_AGREED flat out, retrying on CS_ERR_TRY_AGAIN, with at most <see cref="BenchOptions.CpgWindowBytes"/> of its
/// own messages undelivered) send <see cref="BenchOptions.MessagesFor"/> messages in all,
/// timed from the send commands until the client on every node delivered every message; then 1 sender paced at half
/// that size's 1-sender peak for the same time as ours, submit -> delivered on every node. Every node must report one
/// delivery order (the same digest), each sender's messages in its order and nothing else delivered.
/// </summary>
public sealed class CorosyncThroughput(BenchOptions options, TextWriter output)
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);
    private int _run;

    public async Task<(IReadOnlyList<ThroughputSample> Throughput, IReadOnlyList<LatencySample> Latency, IReadOnlyList<FailedRow> Failures)> MeasureAsync(
        CorosyncRing ring, CpgBenchProgram program, int[] nodes, CancellationToken ct)
    {
        var samples = new List<ThroughputSample>();
        var latencies = new List<LatencySample>();
        var failures = new List<FailedRow>();
        var generation = 0;
        var clients = await JoinAsync(ring, program, nodes, ++generation, options.CpgWindowBytes, ct).ConfigureAwait(false);
        try
        {
            foreach (var size in options.PayloadSizes)
            {
                foreach (var senders in new[] { 1, nodes.Length })
                {
                    var perSender = options.MessagesFor(size) / senders;
                    try
                    {
                        var (sample, _) = await RunAsync(ring, clients, senders, perSender, size, rate: 0, latencyDirectory: null, ct).ConfigureAwait(false);
                        samples.Add(sample);
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"corosync throughput (CPG): {senders} sender(s), {size} B: {sample.Messages} messages delivered on all {nodes.Length} nodes in {sample.ElapsedMs:0} ms = {sample.MessagesPerSecond:0} msg/s ({sample.FullQueueRetries} TRY_AGAIN)")).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is CorosyncRunFailedException or TimeoutException or InvalidOperationException)
                    {
                        failures.Add(new FailedRow(senders, size, ex.Message));
                        await output.WriteLineAsync($"corosync throughput (CPG): {senders} sender(s), {size} B: FAILED: {ex.Message}").ConfigureAwait(false);
                        clients = await RejoinAsync(ring, program, nodes, clients, ++generation, options.CpgWindowBytes, ct).ConfigureAwait(false);
                    }
                }
                var peaks = samples.Where(t => t.PayloadBytes == size && t.Senders == 1).ToArray();
                if (peaks.Length == 0)
                {
                    failures.Add(new FailedRow(0, size, "no latency run: the 1-sender row, whose peak it is paced at, failed"));
                    continue;
                }
                var rate = Math.Max(1, peaks.Max(t => t.MessagesPerSecond) / 2);
                var count = (long)Math.Clamp(rate * RingBenchmark.LatencySeconds, 50, options.MessagesFor(size));
                try
                {
                    var (paced, files) = await RunAsync(ring, clients, 1, count, size, rate, ring.RunDirectory, ct).ConfigureAwait(false);
                    var latency = Latency(files, nodes.Length, size, rate, paced);
                    latencies.Add(latency);
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"corosync latency (CPG): 1 sender, {size} B at {rate:0} msg/s: submit -> delivered p50 {latency.P50Ms:0.00} ms, p99 {latency.P99Ms:0.00} ms (on all nodes: p50 {latency.AllNodesP50Ms:0.00}, p99 {latency.AllNodesP99Ms:0.00})")).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is CorosyncRunFailedException or TimeoutException or InvalidOperationException)
                {
                    failures.Add(new FailedRow(0, size, ex.Message));
                    await output.WriteLineAsync($"corosync latency (CPG): 1 sender, {size} B: FAILED: {ex.Message}").ConfigureAwait(false);
                    clients = await RejoinAsync(ring, program, nodes, clients, ++generation, options.CpgWindowBytes, ct).ConfigureAwait(false);
                }
            }
            return (samples, latencies, failures);
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A client on every node joined to the group of this generation; waits until each sees all of them. After a failed
    /// run the clients are replaced and join a fresh group, so that what the failed run left in flight (delivered late,
    /// or never) cannot reach the next run's counts.
    /// </summary>
    private static async Task<List<CpgBenchClient>> JoinAsync(CorosyncRing ring, CpgBenchProgram program, int[] nodes, int generation, long windowBytes, CancellationToken ct)
    {
        var clients = new List<CpgBenchClient>();
        try
        {
            var group = string.Create(CultureInfo.InvariantCulture, $"ringbench{generation}");
            foreach (var n in nodes) clients.Add(CpgBenchClient.Start(program, ring.Namespace(n), group, n, windowBytes));
            var clock = Stopwatch.StartNew();
            while (clients.Any(c => c.Members != nodes.Length))
            {
                if (clock.Elapsed > Answer)
                    throw new TimeoutException($"the cpgbench clients did not all see a group of {nodes.Length} within {Answer.TotalSeconds:0} s: members {string.Join(", ", clients.Select(c => $"node {c.Node}: {c.Members}"))}");
                await Task.Delay(20, ct).ConfigureAwait(false);
            }
            return clients;
        }
        catch
        {
            foreach (var c in clients) await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<List<CpgBenchClient>> RejoinAsync(CorosyncRing ring, CpgBenchProgram program, int[] nodes, List<CpgBenchClient> old, int generation, long windowBytes, CancellationToken ct)
    {
        foreach (var c in old) await c.DisposeAsync().ConfigureAwait(false);
        old.Clear();
        return await JoinAsync(ring, program, nodes, generation, windowBytes, ct).ConfigureAwait(false);
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

    /// <summary>
    /// One run: every client counts it, the first <paramref name="senders"/> clients send; timed until every client
    /// delivered all. A run not done within <see cref="RunTimeout"/> is stopped (each client answers what it sent and
    /// counted so far) and fails with the counts and what corosync logged about dropping messages.
    /// </summary>
    private async Task<(ThroughputSample Sample, IReadOnlyList<IReadOnlyList<CpgLatency>> Latencies)> RunAsync(
        CorosyncRing ring, List<CpgBenchClient> clients, int senders, long perSender, int size, double rate, string? latencyDirectory, CancellationToken ct)
    {
        var run = ++_run;
        var total = perSender * senders;
        var files = clients.Select(c => latencyDirectory is null ? "-" : Path.Combine(latencyDirectory, string.Create(CultureInfo.InvariantCulture, $"latency-run{run}-node{c.Node}.txt"))).ToArray();
        for (var i = 0; i < clients.Count; i++)
            await clients[i].SendAsync(string.Create(CultureInfo.InvariantCulture, $"expect {run} {total} {files[i]}")).ConfigureAwait(false);
        foreach (var c in clients) await c.NextAsync<CpgExpecting>(Answer, ct).ConfigureAwait(false);
        var dropsBefore = DroppedLines(ring, clients);

        var clock = Stopwatch.StartNew();
        for (var s = 0; s < senders; s++)
            await clients[s].SendAsync(string.Create(CultureInfo.InvariantCulture, $"send {run} {perSender} {size} {rate:0.###}")).ConfigureAwait(false);
        var answers = new List<(int, CpgDone)>();
        var stopped = false;
        // A sender's "sent" comes before its "done" (it cannot deliver its last message before sending it), also after "stop".
        var sent = new CpgSent?[senders];
        for (var i = 0; i < clients.Count; i++)
        {
            while (true)
            {
                CpgLine line;
                try
                {
                    line = await clients[i].NextAsync<CpgLine>(stopped ? Answer : Max(RunTimeout - clock.Elapsed, TimeSpan.FromMilliseconds(1)), ct).ConfigureAwait(false);
                }
                catch (TimeoutException) when (!stopped)
                {
                    stopped = true;
                    foreach (var c in clients) await c.SendAsync("stop").ConfigureAwait(false);
                    continue;
                }
                if (line is CpgSent done && i < senders && sent[i] is null) sent[i] = done;
                else if (line is CpgDone d)
                {
                    answers.Add((clients[i].Node, d));
                    break;
                }
                else throw new CorosyncRunFailedException($"cpgbench on corosync node {clients[i].Node} answered {line} during run {run}");
            }
        }
        var elapsed = clock.Elapsed.TotalMilliseconds;
        for (var i = 0; i < senders; i++) sent[i] ??= await clients[i].NextAsync<CpgSent>(Answer, ct).ConfigureAwait(false);
        var broken = Judge(answers, total);
        if (stopped || broken is not null)
        {
            var drops = DroppedLines(ring, clients).Zip(dropsBefore, (after, before) => (after.Node, Lines: after.Lines - before.Lines)).Where(d => d.Lines > 0).ToArray();
            var accepted = sent.Sum(x => x!.Count);
            throw new CorosyncRunFailedException(string.Create(CultureInfo.InvariantCulture,
                $"run {run} ({senders} sender(s) x {size} B){(stopped ? $" did not finish within {RunTimeout.TotalSeconds:0} s" : "")}: cpg_mcast_joined accepted {accepted} of {total}; {broken ?? "every node delivered them all"}")
                + (drops.Length == 0 ? "" : $"; corosync logged dropping multicasts it had accepted (cs_ipcs_msg_process, 'No buffer space available': totempg could not reserve the message's frames): {string.Join(", ", drops.Select(d => $"node {d.Node} {d.Lines} line(s)"))}"));
        }
        var latencies = latencyDirectory is null ? [] : files.Select(f => (IReadOnlyList<CpgLatency>)File.ReadLines(f).Select(CpgBenchLines.ParseLatency).ToArray()).ToArray();
        return (new ThroughputSample(senders, size, (int)total, elapsed, total / (elapsed / 1000), sent.Max(x => x!.ElapsedNs) / 1e6, sent.Sum(x => x!.TryAgains)), latencies);
    }

    /// <summary>
    /// Per node, the lines of corosync's log where it dropped an asynchronous CPG multicast it had taken from a client
    /// (exec/ipc_glue.c: an async call refused by corosync_sending_allowed is logged, not answered).
    /// </summary>
    private static (int Node, int Lines)[] DroppedLines(CorosyncRing ring, List<CpgBenchClient> clients) =>
        clients.Select(c => (c.Node, ring.Process(c.Node).Lines().Count(IsDrop))).ToArray();

    public static bool IsDrop(string line) => line.Contains("cs_ipcs_msg_process", StringComparison.Ordinal) && !line.Contains("invalid message", StringComparison.Ordinal);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
