using System.Diagnostics;
using System.Globalization;
using Totem.Host.Control;
using Totem.Host.Ringbench.LocalRing;

namespace Totem.Host.Ringbench.Bench;

/// <summary>
/// `ringbench store`: the replicated store's write latency and throughput on a ring of real totemd processes. Latency:
/// one client writes one key after another on node 1 (PUT /v1/store, answered once the write is Safe-delivered back
/// to node 1 and node 1 has taken the token once more, so every member has delivered it). Throughput: <c>clients</c> writers spread over the nodes, each writing its own keys back to back.
/// </summary>
public sealed class StoreBenchmark(RingSpec spec, int writes, int clients, int size, TextWriter output)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        await using var ring = Totem.Host.Ringbench.LocalRing.LocalRing.Create(spec);
        ring.StartAll();
        var nodes = ring.NodeIds.ToArray();
        await ring.WaitForRingAsync(nodes, quorate: true, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        var value = new byte[size];
        Random.Shared.NextBytes(value);
        // The first write waits for the store's first sync; it is not measured.
        await ring.WaitUntilAsync(async () => await TryPut(ring.Client(1), "/bench/warmup", value, ct).ConfigureAwait(false), TimeSpan.FromSeconds(30), "the first store write").ConfigureAwait(false);

        var latencies = new List<double>(writes);
        for (var i = 0; i < writes; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await ring.Client(1).PutStoreAsync($"/bench/latency/{i % 64}", value, null, ct).ConfigureAwait(false);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        latencies.Sort();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"store write latency, {nodes.Length} nodes, {size} B values, one client on node 1, {writes} writes: p50 {Percentile(latencies, 0.50):F2} ms, p99 {Percentile(latencies, 0.99):F2} ms, max {latencies[^1]:F2} ms"));

        var perClient = Math.Max(1, writes / clients);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var client = ring.Client(nodes[c % nodes.Length]);
            for (var i = 0; i < perClient; i++) await client.PutStoreAsync($"/bench/load/{c}/{i % 64}", value, null, ct).ConfigureAwait(false);
        })).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var total = perClient * clients;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"store write throughput, {clients} clients over {nodes.Length} nodes, {total} writes of {size} B: {total / seconds:F0} writes/s ({seconds:F2} s)"));
        return 0;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task<bool> TryPut(ControlClient client, string path, byte[] value, CancellationToken ct)
    {
        try
        {
            await client.PutStoreAsync(path, value, null, ct).ConfigureAwait(false);
            return true;
        }
        catch (ControlApiException e) when (e.Status == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            return false;
        }
    }
}
