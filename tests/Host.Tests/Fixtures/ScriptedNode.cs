using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Totem.Nodes.Control;
using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Store;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Fixtures;

/// <summary>
/// Test fixture only: an INodeControl whose answers the test sets, recording what the API asked of it.
/// It exercises the HTTP layer and totemctl; the node itself is tested elsewhere.
/// </summary>
public sealed class ScriptedNode : INodeControl
{
    private readonly Channel<ClusterEvent> _events = Channel.CreateUnbounded<ClusterEvent>();
    private FaultSettings _faults = FaultSettings.None;

    public static readonly DateTimeOffset Now = new(2024, 11, 21, 23, 59, 1, 123, TimeSpan.Zero);

    public NodeStatusSnapshot Status { get; set; } = FiveNodeRing(quorate: true);
    public List<CmapEntry> Runtime { get; } =
    [
        CmapEntry.U32("runtime.config.totem.consensus", 5940),
        CmapEntry.U32("runtime.config.totem.token", 4950),
        CmapEntry.U64("runtime.totem.pg.mrp.srp.mcast_retx", 12),
        CmapEntry.U8("runtime.votequorum.two_node", false),
    ];
    /// <summary>What GetTimeouts answers (default: corosync's defaults sized for the 5-node ring, fencing exit 10 s).</summary>
    public RunningTimeouts Timeouts { get; set; } = new(TotemTimeouts.Derive(TotemSettings.Default, 5), TotemSettings.Default, FencingSettings.Default);
    public List<DeliveredApplicationMessage> Delivered { get; } = [];
    public List<byte[]> Submitted { get; } = [];
    public List<uint> ExpectedRequests { get; } = [];
    public Func<ReadOnlyMemory<byte>, SubmitResult> OnSubmit { get; set; }
    public Func<uint, SetExpectedVotesResult> OnExpected { get; set; } = v => SetExpectedVotesResult.Applied(v, v / 2 + 1);

    /// <summary>What a reload answers (default: node 1 asked, every member of the 5-node ring applied token 3000 -> 5000).</summary>
    public Func<ConfigReloadResult> OnReload { get; set; } = () => Reload(Enumerable.Range(1, 5).ToDictionary(i => i,
        _ => (Totem.Protocol.Config.Reload.ReloadOutcome.Applied, 2ul, "totem.config_version: 1 -> 2; totem.token: 3000 -> 5000")));

    public int ReloadRequests { get; private set; }

    /// <summary>A reload result of node 1's first request on the 5-node ring, with the answers given.</summary>
    public static ConfigReloadResult Reload(IReadOnlyDictionary<int, (Totem.Protocol.Config.Reload.ReloadOutcome Outcome, ulong Version, string Detail)> answers) =>
        new(new NodeId(1), 1, Enumerable.Range(1, 5).Select(i => new NodeId((uint)i)).ToList(),
            answers.ToDictionary(a => new NodeId((uint)a.Key), a => new Totem.Protocol.Config.Reload.ReloadReported(new NodeId(1), 1, a.Value.Outcome, a.Value.Version, a.Value.Detail)));
    public NodeMetrics Metrics { get; set; } = new(812.5, 100, 2, 3, 10, 9, 4, 5, 1, 1000, 990, 7, 0, 3, 1, 0);

    public ScriptedNode()
    {
        OnSubmit = payload =>
        {
            Submitted.Add(payload.ToArray());
            return SubmitResult.Queued(Submitted.Count - 1);
        };
        OnSubmitBatch = payloads =>
        {
            var first = Submitted.Count;
            Submitted.AddRange(payloads.Select(p => p.ToArray()));
            return SubmitResult.Queued(first);
        };
    }

    public static NodeStatusSnapshot FiveNodeRing(bool quorate)
    {
        var members = quorate ? ValueList.Of(new NodeId(1), new NodeId(2), new NodeId(3), new NodeId(4), new NodeId(5)) : ValueList.Of(new NodeId(1), new NodeId(2));
        var nodes = Enumerable.Range(1, 5).Select(i => new QuorumNodeEntry(new NodeId((uint)i), 1, 5, $"node{i}", $"127.0.0.{i}", members.Contains(new NodeId((uint)i)))).ToValueList();
        var peers = Enumerable.Range(2, 4).Select(i => new PeerLinkStatus(new NodeId((uint)i), $"127.0.0.{i}:5405",
            members.Contains(new NodeId((uint)i)), Now.AddSeconds(members.Contains(new NodeId((uint)i)) ? -0.2 : -12.3))).ToValueList();
        return new NodeStatusSnapshot(
            new NodeId(1), "local-ring", "knet", SrpState.Operational, new RingId(new NodeId(1), 0x2c), members,
            new QuorumSnapshot(quorate, (uint)members.Count, 5, 5, 3, quorate ? ValueList.Of("Quorate") : ValueList<string>.Empty, nodes),
            quorate ? new WatchdogSnapshot(false, null, FencingMode.Exit, 10000) : new WatchdogSnapshot(true, Now.AddSeconds(8), FencingMode.Exit, 10000),
            new LinkSnapshot("127.0.0.1", 5405, peers),
            Now.AddMinutes(-5), Now);
    }

    /// <summary>
    /// <see cref="FiveNodeRing"/> on two knet links (127.0.0.N and 127.0.1.N): link 0 to node 4 is down (cut), every
    /// other link up with 0.25/0.9 ms round trips.
    /// </summary>
    public static NodeStatusSnapshot TwoLinkRing()
    {
        var ring = FiveNodeRing(quorate: true);
        var peers = ring.Link.Peers.Select(p => p with
        {
            Links = ValueList.Of(
                Knet(0, $"127.0.0.{p.NodeId.Value}", connected: p.NodeId.Value != 4),
                Knet(1, $"127.0.1.{p.NodeId.Value}", connected: true)),
        }).ToValueList();
        return ring with
        {
            Link = new LinkSnapshot("127.0.0.1", 5405, peers)
            {
                Links = ValueList.Of(new LocalKnetLink(0, "127.0.0.1", 5405, 17), new LocalKnetLink(1, "127.0.1.1", 5405, 0)),
            },
        };

        static PeerKnetLink Knet(uint link, string address, bool connected) =>
            new(link, address, connected, 40, connected ? 38 : 30, 0.25, 0.9, connected ? 38 : 30, 500, 64_000, 480, 61_000, connected ? 0 : 17, 1, connected ? 0 : 1);
    }

    /// <summary>The knet links a fault may name; a fault on another is refused as totemd refuses it.</summary>
    public IReadOnlyList<uint> LinkNumbers { get; set; } = [0u, 1u];

    public void Publish(ClusterEvent e) => _events.Writer.TryWrite(e);

    public NodeStatusSnapshot GetStatus() => Status;

    public IReadOnlyList<CmapEntry> GetRuntime(string? prefix) =>
        Runtime.Where(e => prefix is null || e.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();

    public RunningTimeouts GetTimeouts() => Timeouts;

    public Task<SubmitResult> SubmitAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) => Task.FromResult(OnSubmit(payload));

    /// <summary>What a batch answers (default: every message recorded in <see cref="Submitted"/>, queued from the first one's index).</summary>
    public Func<IReadOnlyList<ReadOnlyMemory<byte>>, SubmitResult> OnSubmitBatch { get; set; }

    public List<int> BatchSizes { get; } = [];

    /// <summary>While set and not completed, batches are recorded in <see cref="BatchSizes"/> as they come but answered only once it completes.</summary>
    public TaskCompletionSource? HoldSubmits { get; set; }

    public async Task<SubmitResult> SubmitBatchAsync(IReadOnlyList<ReadOnlyMemory<byte>> payloads, CancellationToken cancellationToken)
    {
        lock (Submitted) BatchSizes.Add(payloads.Count);
        if (HoldSubmits is { } hold) await hold.Task.WaitAsync(cancellationToken);
        lock (Submitted) return OnSubmitBatch(payloads);
    }

    private readonly List<FeedItem> _feedItems = [];
    private TaskCompletionSource _feedNews = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Appends a delivery (and to <see cref="Delivered"/>) for the feeds open now and later.</summary>
    public void Deliver(DeliveredApplicationMessage message)
    {
        lock (_feedItems)
        {
            Delivered.Add(message);
            _feedItems.Add(new FeedItem(message, null));
            _feedNews.TrySetResult();
            _feedNews = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Appends a new regular configuration for the feeds.</summary>
    public void Configure(MembershipFormed change)
    {
        lock (_feedItems)
        {
            _feedItems.Add(new FeedItem(null, change));
            _feedNews.TrySetResult();
            _feedNews = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public IDeliveryFeed OpenDeliveryFeed()
    {
        lock (_feedItems) return new ScriptedFeed(this, _feedItems.Count);
    }

    /// <summary>Items from the moment the feed was opened; <see cref="ForgetBefore"/> makes readers behind it fail as a node's log would.</summary>
    public long ForgetBefore { get; set; }

    private sealed class ScriptedFeed(ScriptedNode node, int start) : IDeliveryFeed
    {
        private int _at = start;

        public long Next
        {
            get
            {
                lock (node._feedItems) return node._feedItems.Skip(_at).FirstOrDefault(i => i.Message is not null).Message?.Index ?? node.Delivered.Count;
            }
        }

        public bool Completed => false;

        public int Read(List<FeedItem> into, int max)
        {
            lock (node._feedItems)
            {
                if (_at < node._feedItems.Count && node._feedItems[_at].Message is { } m && m.Index < node.ForgetBefore)
                    throw new DeliveriesForgottenException(m.Index, node.ForgetBefore);
                var n = Math.Min(max, node._feedItems.Count - _at);
                into.AddRange(node._feedItems.Skip(_at).Take(n));
                _at += n;
                return n;
            }
        }

        public Task WaitAsync(CancellationToken cancellationToken)
        {
            lock (node._feedItems) return _at < node._feedItems.Count ? Task.CompletedTask : node._feedNews.Task.WaitAsync(cancellationToken);
        }
    }

    public IReadOnlyList<DeliveredApplicationMessage> GetMessages(long from, int max) => Delivered.Where(m => m.Index >= from).Take(max).ToList();

    /// <summary>The store as one node's copy: writes are applied at once when <see cref="StoreQuorate"/>, else refused as the engine does.</summary>
    public StoreState Store { get; set; } = StoreState.Empty;
    public bool StoreQuorate { get; set; } = true;

    public Task<StoreWriteResult> WriteStoreAsync(StoreOp op, string path, byte[] value, ulong? expectedVersion, CancellationToken cancellationToken)
    {
        if (!StorePath.TryParse(path, out var parsed, out var error)) return Task.FromResult(StoreWriteResult.Refused(StoreErrorKind.InvalidRequest, error));
        if (!StoreQuorate) return Task.FromResult(StoreWriteResult.Refused(StoreErrorKind.NoQuorum, "cluster not ready - no quorum?"));
        var applied = Store.Apply(op, parsed, expectedVersion, value.ToValueList(), default);
        if (applied.Failure is { } failure) return Task.FromResult(StoreWriteResult.Refused(failure.Kind, failure.Reason));
        Store = applied.Next!;
        return Task.FromResult(StoreWriteResult.Applied(applied.KeyVersion, Store.Version));
    }

    public Task<StoreReadResult> ReadStoreAsync(string path, bool list, CancellationToken cancellationToken)
    {
        if (!StorePath.TryParse(path, out var parsed, out var error))
            return Task.FromResult(new StoreReadResult(path, null, null, Store.Version, StoreQuorate, true, new StoreFailure(StoreErrorKind.InvalidRequest, error)));
        if (list)
            return Task.FromResult(Store.IsDirectory(parsed)
                ? new StoreReadResult(parsed.Value, null, Store.Children(parsed), Store.Version, StoreQuorate, true, null)
                : new StoreReadResult(parsed.Value, null, null, Store.Version, StoreQuorate, true, new StoreFailure(StoreErrorKind.NotFound, $"'{parsed}' does not exist")));
        var entry = Store.Get(parsed);
        return Task.FromResult(new StoreReadResult(parsed.Value, entry, null, Store.Version, StoreQuorate, true,
            entry is null ? new StoreFailure(StoreErrorKind.NotFound, $"'{parsed}' does not exist") : null));
    }

    public Task<SetExpectedVotesResult> SetExpectedVotesAsync(uint votes, CancellationToken cancellationToken)
    {
        ExpectedRequests.Add(votes);
        return Task.FromResult(OnExpected(votes));
    }

    public Task<ConfigReloadResult> ReloadConfigAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        ReloadRequests++;
        return Task.FromResult(OnReload());
    }

    public async IAsyncEnumerable<ClusterEvent> SubscribeEvents([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in _events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)) yield return e;
    }

    public FaultSettings GetFaults() => _faults;

    public void SetFaults(FaultSettings faults)
    {
        foreach (var l in faults.Links)
            if (!LinkNumbers.Contains(l.Link)) throw new ArgumentException($"link {l.Link}: this node has no such link (its links: {string.Join(", ", LinkNumbers)})");
        _faults = faults;
    }

    public NodeMetrics GetMetrics() => Metrics;
}
