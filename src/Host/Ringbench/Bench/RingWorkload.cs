using System.Diagnostics;
using Totem.Client;
using Totem.Protocol.Wire;

namespace Totem.Host.Ringbench.Bench;

/// <summary>
/// The throughput workload on one ring: a subscriber on every node (<see cref="DeliveryWatch"/>), opened once, and runs
/// of N senders, each sender a fresh client on its node pumping its messages through the client socket; a run is timed
/// until every node delivered all of them, then judged by the protocol's invariant checker.
/// </summary>
public sealed class RingWorkload : IAsyncDisposable
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(90);

    private readonly LocalRing.LocalRing _ring;
    private readonly int[] _nodes;
    private readonly TextWriter _output;

    private RingWorkload(LocalRing.LocalRing ring, int[] nodes, DeliveryWatch watch, TextWriter output)
    {
        _ring = ring;
        _nodes = nodes;
        Watch = watch;
        _output = output;
    }

    public DeliveryWatch Watch { get; }

    /// <summary>Messages every node has delivered since the watch opened: where the next run's count starts.</summary>
    public long Delivered { get; private set; }

    public IReadOnlyList<int> Nodes => _nodes;

    /// <summary>Opens every node's subscriber once the ring is settled (its status is the configuration the first deliveries belong to).</summary>
    public static async Task<RingWorkload> OpenAsync(LocalRing.LocalRing ring, int[] nodes, TextWriter output, CancellationToken ct)
    {
        var watched = new List<(NodeId, string, RingId, ValueList<NodeId>)>();
        foreach (var n in nodes)
        {
            var status = await ring.TryStatusAsync(n, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"node {n} does not answer GET /v1/status before the throughput runs\n{await ring.DescribeAsync().ConfigureAwait(false)}");
            watched.Add((new NodeId((uint)n), ring.ClientSocket(n), new RingId(new NodeId(status.RingId.Rep), status.RingId.Seq),
                new ValueList<NodeId>(status.Members.Select(m => new NodeId(m)))));
        }
        return new RingWorkload(ring, nodes, await DeliveryWatch.OpenAsync([.. watched], ct).ConfigureAwait(false), output);
    }

    /// <summary>
    /// One run: <paramref name="senders"/> senders (nodes 1..senders) of <paramref name="perSender"/> messages of
    /// <paramref name="size"/> bytes each, flat out (<paramref name="rate"/> 0) or paced at that many msg/s per sender.
    /// </summary>
    public async Task<ThroughputSample> RunAsync(int senders, long perSender, int size, double rate, CancellationToken ct)
    {
        var total = perSender * senders;
        var clients = new List<TotemClient>();
        try
        {
            for (var s = 0; s < senders; s++) clients.Add(await TotemClient.ConnectAsync(_ring.ClientSocket(_nodes[s]), ct).ConfigureAwait(false));
            var clock = Stopwatch.StartNew();
            var pumps = clients.Select((client, s) => MessagePump.RunAsync(client, new PumpOptions(perSender, rate), i => DeliveryWatch.Message(s, i, size),
                rate > 0 ? (first, count) => Watch.Stamp(s, first, count) : null, ct)).ToArray();
            var reports = await Task.WhenAll(pumps).ConfigureAwait(false);
            var accepted = clock.Elapsed.TotalMilliseconds;
            await Watch.WaitForAsync(Delivered + total, DeliveryTimeout, ct).ConfigureAwait(false);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            Delivered += total;
            for (var s = 0; s < senders; s++)
            {
                for (var i = 0L; i < perSender; i++)
                    Watch.History.Submitted(new NodeId((uint)_nodes[s]), DeliveryWatch.Message(s, i, Math.Min(size, DeliveryHistory.IdBytes)));
            }
            await CheckAsync($"{senders} sender(s) x {size} B{(rate > 0 ? $" at {rate:0} msg/s" : "")}").ConfigureAwait(false);
            return new ThroughputSample(senders, size, (int)total, elapsed, total / (elapsed / 1000), accepted, reports.Sum(r => r.TryAgains));
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Until every node delivered <paramref name="count"/> more messages, sent by another path (the HTTP runs).</summary>
    public async Task WaitForMoreAsync(long count, CancellationToken ct)
    {
        await Watch.WaitForAsync(Delivered + count, DeliveryTimeout, ct).ConfigureAwait(false);
        Delivered += count;
    }

    /// <summary>The invariant checker on what every node's subscriber delivered in the run just timed; a violation ends the benchmark.</summary>
    public async Task CheckAsync(string run)
    {
        Watch.History.ThrowIfViolated($"ringbench throughput run {run}");
        await _output.WriteLineAsync($"  invariants held: {Watch.History.LastRunDeliveries} deliveries on all nodes in one agreed order, none lost or duplicated").ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => Watch.DisposeAsync();
}
