using System.Buffers.Binary;
using System.Diagnostics;
using Totem.Client;
using Totem.Protocol.Client;
using Totem.Protocol.Wire;

namespace Totem.Host.Ringbench.Bench;

/// <summary>
/// One subscriber on every node's client socket: counts the application messages each node delivers and, while a
/// latency run is on, the time from a message's submission (<see cref="Stamp"/>) to its delivery on each node, as a
/// client on that node sees it. Benchmark messages start with <see cref="HeaderBytes"/> bytes: u16 sender, u32 number.
/// Every delivery and configuration change is also recorded in <see cref="History"/>, which the benchmark judges after
/// each run with the protocol's invariant checker.
/// </summary>
public sealed class DeliveryWatch : IAsyncDisposable
{
    public const int HeaderBytes = 6;

    private readonly TotemClient[] _clients;
    private readonly long[] _counts;
    private readonly Task[] _readers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private long[][]? _sentAt;
    private List<double>[]? _latencyMs;
    private Dictionary<(int Sender, uint Number), (int Nodes, long Last)>? _lastDelivery;

    private readonly NodeId[] _nodes;

    private DeliveryWatch(TotemClient[] clients, NodeId[] nodes, DeliveryHistory history)
    {
        _clients = clients;
        _nodes = nodes;
        History = history;
        _counts = new long[clients.Length];
        _readers = new Task[clients.Length];
        for (var i = 0; i < clients.Length; i++)
        {
            var n = i;
            _readers[i] = Task.Run(() => ReadAsync(n, _stop.Token));
        }
    }

    /// <summary>What every node's subscriber delivered and saw change since the last run was judged.</summary>
    public DeliveryHistory History { get; }

    /// <param name="nodes">Each node's socket and its regular configuration (ring id, members) before the subscription opens.</param>
    public static async Task<DeliveryWatch> OpenAsync(IReadOnlyList<(NodeId Node, string Socket, RingId Ring, ValueList<NodeId> Members)> nodes, CancellationToken ct)
    {
        var clients = new List<TotemClient>();
        var history = new DeliveryHistory(nodes.Select(n => (n.Node, n.Ring, n.Members)));
        try
        {
            foreach (var node in nodes)
            {
                var client = await TotemClient.ConnectAsync(node.Socket, ct).ConfigureAwait(false);
                clients.Add(client);
                await client.SubscribeAsync(SubscribeTo.Messages | SubscribeTo.ConfigurationChanges, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var c in clients) await c.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new DeliveryWatch([.. clients], [.. nodes.Select(n => n.Node)], history);
    }

    /// <summary>Benchmark message <paramref name="number"/> of <paramref name="sender"/>, <paramref name="size"/> bytes (at least the header).</summary>
    public static byte[] Message(int sender, long number, int size)
    {
        var bytes = new byte[Math.Max(size, HeaderBytes)];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)sender);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), (uint)number);
        bytes.AsSpan(HeaderBytes).Fill((byte)'.');
        return bytes;
    }

    /// <summary>Starts recording latencies of <paramref name="senders"/> senders' first <paramref name="perSender"/> messages.</summary>
    public void StartLatency(int senders, long perSender)
    {
        lock (_gate)
        {
            _sentAt = Enumerable.Range(0, senders).Select(_ => new long[perSender]).ToArray();
            _latencyMs = _clients.Select(_ => new List<double>()).ToArray();
            _lastDelivery = [];
        }
    }

    /// <summary>The sender's batch of messages first .. first + count - 1 goes out now.</summary>
    public void Stamp(int sender, long first, int count)
    {
        var sent = _sentAt![sender];
        var now = Stopwatch.GetTimestamp();
        for (var i = first; i < first + count && i < sent.Length; i++) sent[i] = now;
    }

    /// <summary>Stops recording; per-node latencies (every node's every delivery) and the time until the last node delivered each message, ms.</summary>
    public (double[] PerNode, double[] AllNodes) StopLatency()
    {
        lock (_gate)
        {
            var perNode = _latencyMs!.SelectMany(l => l).Order().ToArray();
            var all = _lastDelivery!.Values.Where(v => v.Nodes == _clients.Length).Select(v => v.Last * 1000.0 / Stopwatch.Frequency).Order().ToArray();
            _sentAt = null;
            _latencyMs = null;
            _lastDelivery = null;
            return (perNode, all);
        }
    }

    /// <summary>Messages each node has delivered since the watch opened.</summary>
    public long Count(int node) => Volatile.Read(ref _counts[node]);

    /// <summary>Until every node delivered at least <paramref name="target"/> messages since the watch opened.</summary>
    public async Task WaitForAsync(long target, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (Enumerable.Range(0, _clients.Length).Any(n => Count(n) < target))
        {
            if (_readers.FirstOrDefault(r => r.IsFaulted) is { } failed) await failed.ConfigureAwait(false);
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"not every node delivered {target} messages within {timeout.TotalSeconds:0} s: delivered {string.Join(", ", Enumerable.Range(0, _clients.Length).Select(Count))}");
            await Task.Delay(2, ct).ConfigureAwait(false);
        }
    }

    private async Task ReadAsync(int node, CancellationToken ct)
    {
        await foreach (var frame in _clients[node].Deliveries.ReadAllAsync(ct).ConfigureAwait(false))
        {
            History.Record(_nodes[node], frame);
            if (frame is not DeliveredBatch batch) continue;
            var now = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                if (_sentAt is { } sentAt) Record(node, batch, sentAt, now);
            }
            Interlocked.Add(ref _counts[node], batch.Messages.Count);
        }
    }

    /// <summary>Under the gate: one latency per benchmark message of the run, and the latest delivery of each across nodes.</summary>
    private void Record(int node, DeliveredBatch batch, long[][] sentAt, long now)
    {
        foreach (var m in batch.Messages)
        {
            if (m.Payload.Length < HeaderBytes) continue;
            var sender = BinaryPrimitives.ReadUInt16BigEndian(m.Payload.Span);
            var number = BinaryPrimitives.ReadUInt32BigEndian(m.Payload.Span[2..]);
            if (sender >= sentAt.Length || number >= sentAt[sender].Length || sentAt[sender][number] == 0) continue;
            var elapsed = now - sentAt[sender][number];
            _latencyMs![node].Add(elapsed * 1000.0 / Stopwatch.Frequency);
            var key = (sender, number);
            _lastDelivery![key] = _lastDelivery.TryGetValue(key, out var seen) ? (seen.Nodes + 1, Math.Max(seen.Last, elapsed)) : (1, elapsed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var c in _clients) await c.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_readers).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TotemClientException)
        {
            // Closed on purpose.
        }
        _stop.Dispose();
    }
}
