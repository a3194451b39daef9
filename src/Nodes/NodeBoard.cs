using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Totem.Nodes.Control;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Quorum;
using Totem.Protocol.Security;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes;

/// <summary>
/// What a node's actors publish for the outside: each actor writes its own part after a step, and
/// readers (control API, metrics, simulator) take consistent immutable snapshots without ever
/// waiting on the token path. The one place where a node's state crosses threads.
/// </summary>
public sealed class NodeBoard
{
    private readonly object _gate = new();
    private readonly NodeOptions _options;
    private readonly TimeProvider _clock;
    private readonly DeliveredMessageLog _delivered;
    private readonly List<Channel<ClusterEvent>> _subscribers = new();
    private long _submitted;
    private long _tokenLosses;
    private SrpState _state = SrpState.Gather;
    private RingId _ringId;
    private ValueList<NodeId> _members = ValueList<NodeId>.Empty;
    // Each half of the ring publishes its own engine's counters after every step, as a copy of the engine's stats struct
    // (no allocation on the token path); readers see their sum (SrpCounters.Combine), built when they ask.
    private SrpStats? _membershipStats;
    private SrpStats? _tokenStats;
    private double _tokenRotationAvgMs;
    private double _avgBacklogCalc;
    private ulong _rxDroppedBeforeEngines;
    private QuorumStatus? _quorum;
    private StoreSnapshot? _store;
    private FencingStatus _watchdog;
    private int _pendingMessages;
    private ulong _highestRingSeq;
    private Func<ValueList<NodeId>, LinkSnapshot> _link;
    private Func<IReadOnlyDictionary<NodeId, string>> _names = () => new Dictionary<NodeId, string>();
    private Func<(long Sent, long Received, long DroppedByFault, long Malformed, long RejectedUnlisted)> _datagrams = () => (0, 0, 0, 0, 0);
    private Func<TransportCounters>? _transport;
    // Regular configurations with the delivery index they come before, for the delivery feeds; the oldest are dropped.
    private readonly List<(long Index, MembershipFormed Change)> _changes = new();
    private long _changesDropped;
    private TaskCompletionSource? _feedWake;
    private bool _completed;
    private const int RetainedChanges = 256;

    public NodeBoard(NodeOptions options, TimeProvider clock)
    {
        _options = options;
        _clock = clock;
        _delivered = new DeliveredMessageLog(options.DeliveredLog);
        Running = new RunningConfig(options.Config, options.Timeouts, options.ConfigKeys);
        StartedAt = clock.GetUtcNow();
        _watchdog = new FencingStatus(options.Fencing.Mode, options.Fencing.TimeoutMs, false, false, null, false);
        _link = _ => new LinkSnapshot(options.LocalAddress, options.Port, ValueList<PeerLinkStatus>.Empty);
    }

    public DateTimeOffset StartedAt { get; }

    /// <summary>What the node runs now: its start-up config and timing until a reload replaces them.</summary>
    public RunningConfig Running { get; }

    public ulong HighestRingSeq { get { lock (_gate) return _highestRingSeq; } }

    /// <summary>The node's membership state as Membership last published it (a cheap read for pollers; <see cref="Status"/> builds the whole view).</summary>
    public SrpState State { get { lock (_gate) return _state; } }

    internal void AttachLink(Func<ValueList<NodeId>, LinkSnapshot> link, Func<(long, long, long, long, long)> datagrams, Func<TransportCounters>? transport,
        Func<IReadOnlyDictionary<NodeId, string>> names)
    {
        _link = link;
        _names = names;
        _datagrams = datagrams;
        _transport = transport;
    }

    /// <summary>Membership's view: the node's state, ring and installed members, and its engine's counters.</summary>
    internal void PublishMembership(SrpState state, RingId ringId, IReadOnlyList<NodeId> members, in SrpStats stats)
    {
        lock (_gate)
        {
            _state = state;
            _ringId = ringId;
            if (_members.Count != members.Count || !_members.SequenceEqual(members)) _members = members.ToValueList();
            _membershipStats = stats;
        }
    }

    /// <summary>
    /// TokenHolder's view: its engine's counters and averages (token rotation, backlog), what it dropped before its
    /// engine, and the messages waiting for the token.
    /// </summary>
    internal void PublishTokenHolder(in SrpStats stats, double tokenRotationAvgMs, double avgBacklogCalc, ulong rxDropped, int pending)
    {
        lock (_gate)
        {
            _tokenStats = stats;
            _tokenRotationAvgMs = tokenRotationAvgMs;
            _avgBacklogCalc = avgBacklogCalc;
            _rxDroppedBeforeEngines = rxDropped;
            _pendingMessages = pending;
        }
    }

    /// <summary>The node's counters as far as its halves have published them (call under the gate); null before either has.</summary>
    private SrpCounters? CombinedCounters =>
        _membershipStats is null && _tokenStats is null
            ? null
            : SrpCounters.Combine(
                _membershipStats is { } m ? SrpStats.ToCounters(m, 0, 0) : SrpCounters.Zero,
                _tokenStats is { } t ? SrpStats.ToCounters(t, _tokenRotationAvgMs, _avgBacklogCalc) : SrpCounters.Zero,
                _rxDroppedBeforeEngines);

    internal void ObserveRingSeq(ulong seq)
    {
        lock (_gate) _highestRingSeq = Math.Max(_highestRingSeq, seq);
    }

    internal void CountTokenLoss()
    {
        lock (_gate) _tokenLosses++;
    }

    internal void CountSubmitted(int count = 1)
    {
        lock (_gate) _submitted += count;
    }

    internal void PublishQuorum(QuorumStatus status)
    {
        lock (_gate) _quorum = status;
    }

    internal void PublishStore(StoreSnapshot store)
    {
        lock (_gate) _store = store;
    }

    internal void PublishWatchdog(FencingStatus status)
    {
        lock (_gate) _watchdog = status;
    }

    internal void AppendDelivery(RingId ringId, uint seq, NodeId sender, ReadOnlyMemory<byte> payload)
    {
        lock (_gate)
        {
            _delivered.Append(ringId, seq, sender, payload, _clock.GetUtcNow());
            WakeFeeds();
        }
    }

    internal void Publish(ClusterEvent clusterEvent)
    {
        lock (_gate)
        {
            if (clusterEvent is MembershipFormed formed)
            {
                _changes.Add((_delivered.NextIndex, formed));
                if (_changes.Count > RetainedChanges)
                {
                    _changes.RemoveAt(0);
                    _changesDropped++;
                }
                WakeFeeds();
            }
            foreach (var subscriber in _subscribers)
                subscriber.Writer.TryWrite(clusterEvent);
        }
    }

    internal void CompleteEvents()
    {
        lock (_gate)
        {
            _completed = true;
            WakeFeeds();
            foreach (var subscriber in _subscribers) subscriber.Writer.TryComplete();
            _subscribers.Clear();
        }
    }

    /// <summary>Call under the gate: a feed waiting for news gets it (one task per wake-up, not per message).</summary>
    private void WakeFeeds()
    {
        if (_feedWake is not { } waiting) return;
        _feedWake = null;
        waiting.TrySetResult();
    }

    /// <summary>A reader of the deliveries from now on (<see cref="IDeliveryFeed"/>).</summary>
    public IDeliveryFeed OpenFeed()
    {
        lock (_gate) return new BoardFeed(this, _delivered.NextIndex, _changesDropped + _changes.Count);
    }

    private sealed class BoardFeed(NodeBoard board, long next, long change) : IDeliveryFeed
    {
        private long _next = next;
        private long _change = change;

        public long Next => Volatile.Read(ref _next);

        public bool Completed
        {
            get { lock (board._gate) return board._completed; }
        }

        public int Read(List<FeedItem> into, int max)
        {
            lock (board._gate)
            {
                var log = board._delivered;
                if (_next < log.FirstRetainedIndex) throw new DeliveriesForgottenException(_next, log.FirstRetainedIndex);
                var read = 0;
                // A configuration dropped from the short list is skipped: its messages' ring ids still tell the change.
                _change = Math.Max(_change, board._changesDropped);
                while (read < max)
                {
                    var c = (int)(_change - board._changesDropped);
                    if (c < board._changes.Count && board._changes[c].Index <= _next)
                    {
                        into.Add(new FeedItem(null, board._changes[c].Change));
                        _change++;
                    }
                    else if (_next < log.NextIndex)
                    {
                        into.Add(new FeedItem(log.At(_next), null));
                        _next++;
                    }
                    else
                    {
                        break;
                    }
                    read++;
                }
                return read;
            }
        }

        public Task WaitAsync(CancellationToken cancellationToken)
        {
            lock (board._gate)
            {
                if (board._completed || _next < board._delivered.NextIndex || _change < board._changesDropped + board._changes.Count) return Task.CompletedTask;
                board._feedWake ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return board._feedWake.Task.WaitAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// votequorum's last verdict as the engine computed it (null before the first): for a watcher that polls every node
    /// often (the simulator's quorum safety monitor), where <see cref="Status"/> would build the whole snapshot.
    /// </summary>
    public QuorumStatus? Quorum
    {
        get { lock (_gate) return _quorum; }
    }

    public NodeStatusSnapshot Status()
    {
        // The link view is read outside the board's lock: the link layer publishes its events here while holding its own.
        ValueList<NodeId> members;
        lock (_gate) members = _members;
        var link = _link(members);
        lock (_gate)
        {
            return new NodeStatusSnapshot(
                _options.NodeId, _options.ClusterName, _options.Transport, _state, _ringId, _members,
                QuorumSnapshotOf(_quorum, link), WatchdogSnapshotOf(_watchdog), link, StartedAt, _clock.GetUtcNow(), _store);
        }
    }

    public IReadOnlyList<DeliveredApplicationMessage> Messages(long from, int max)
    {
        lock (_gate) return _delivered.Read(from, max);
    }

    public long SubmittedCount
    {
        get { lock (_gate) return _submitted; }
    }

    public long DeliveredCount
    {
        get { lock (_gate) return _delivered.NextIndex; }
    }

    public NodeMetrics Metrics()
    {
        var datagrams = _datagrams();
        var counters = _transport?.Invoke();
        var unauthenticated = counters?.Unauthenticated ?? 0;
        // Per reason only when the node seals, as the runtime keys: zeros on a clear ring would look like protection.
        var byReason = _options.Crypto is not null && counters is { } t
            ? SealFailureNames.Reasons.ToDictionary(r => r, r => t.SealFailures(r))
            : new Dictionary<SealFailure, long>();
        lock (_gate)
        {
            var c = CombinedCounters;
            return new NodeMetrics(
                c?.TokenRotationAvgMs ?? 0,
                (long)(c?.OrfTokenRx ?? 0),
                _tokenLosses,
                (long)(c?.OperationalEntered ?? 0),
                _submitted,
                _delivered.NextIndex,
                (long)(c?.McastRetx ?? 0),
                (long)(c?.RetransmitRequests ?? 0),
                (long)(c?.ConsensusTimeouts ?? 0),
                // totem_datagrams_malformed_total is "malformed or unauthenticated": a refused seal is both to an operator.
                datagrams.Sent, datagrams.Received, datagrams.DroppedByFault, datagrams.Malformed + unauthenticated, datagrams.RejectedUnlisted,
                _pendingMessages,
                _delivered.FirstRetainedIndex)
            {
                DatagramsUnauthenticated = unauthenticated,
                DatagramsUnauthenticatedByReason = byReason,
            };
        }
    }

    public IReadOnlyList<CmapEntry> Runtime(string? prefix)
    {
        var datagrams = _datagrams();
        var entries = new List<CmapEntry>(Running.Keys);
        entries.AddRange(Running.MemberVersionKeys);
        if (_options.Crypto is not null && _transport?.Invoke() is { } transport) AddSealCounters(entries, transport);
        AddKnetStats(entries, _link(_members));
        lock (_gate)
        {
            const string srp = "runtime.totem.pg.mrp.srp.";
            if (CombinedCounters is { } c)
            {
                foreach (var (name, value) in RuntimeCounters.Of(c))
                    entries.Add(CmapEntry.U64(srp + name, value));
            }
            entries.Add(CmapEntry.U64(srp + "token_lost", (ulong)_tokenLosses));
            entries.Add(CmapEntry.U32(srp + "members_count", (uint)_members.Count));
            entries.Add(CmapEntry.Str(srp + "memb_state", _state.ToString().ToLowerInvariant()));
            entries.Add(CmapEntry.Str(srp + "ring_id", _ringId.ToString()));
            // corosync keeps no counter for udpu's "Packet rejected"; named after that line, beside the transport's other keys.
            entries.Add(CmapEntry.U64("runtime.totem.udpu.packets_rejected_unlisted", (ulong)datagrams.RejectedUnlisted));
            entries.Add(CmapEntry.U64("runtime.totem.pg.msg_queue_avail", (ulong)Math.Max(0, _options.SendQueue.Messages - _pendingMessages)));
            if (_quorum is { } q)
            {
                const string vq = "runtime.votequorum.";
                entries.Add(CmapEntry.U32(vq + "this_node_id", q.NodeId.Value));
                entries.Add(CmapEntry.U8(vq + "quorate", q.Quorate));
                entries.Add(CmapEntry.U32(vq + "node_votes", q.Votes));
                entries.Add(CmapEntry.U32(vq + "node_expected", q.ExpectedVotes));
                entries.Add(CmapEntry.U32(vq + "highest_expected", q.HighestExpected));
                entries.Add(CmapEntry.U32(vq + "total_votes", q.TotalVotes));
                entries.Add(CmapEntry.U32(vq + "quorum", q.Quorum));
                entries.Add(CmapEntry.U32(vq + "ev_barrier", q.ExpectedVotesBarrier));
                entries.Add(CmapEntry.U8(vq + "two_node", q.Flags.HasFlag(QuorumFlags.TwoNode)));
                entries.Add(CmapEntry.U8(vq + "wait_for_all_status", q.WaitingForAll));
            }
        }
        return entries
            .Where(e => prefix is null || e.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>corosync's stats.knet.nodeN.linkM.* of each knet link to each peer, those this engine counts; none with one link.</summary>
    private static void AddKnetStats(List<CmapEntry> entries, LinkSnapshot link)
    {
        foreach (var peer in link.Peers)
        {
            foreach (var l in peer.Links)
            {
                var key = string.Create(CultureInfo.InvariantCulture, $"stats.knet.node{peer.NodeId.Value}.link{l.Link}.");
                entries.Add(CmapEntry.U8(key + "connected", l.Connected));
                entries.Add(CmapEntry.U8(key + "enabled", true));
                entries.Add(CmapEntry.U64(key + "latency_samples", (ulong)l.LatencySamples));
                entries.Add(CmapEntry.U64(key + "tx_data_packets", (ulong)l.TxDataPackets));
                entries.Add(CmapEntry.U64(key + "tx_data_bytes", (ulong)l.TxDataBytes));
                entries.Add(CmapEntry.U64(key + "rx_data_packets", (ulong)l.RxDataPackets));
                entries.Add(CmapEntry.U64(key + "rx_data_bytes", (ulong)l.RxDataBytes));
                entries.Add(CmapEntry.U64(key + "tx_ping_packets", (ulong)l.PingsSent));
                entries.Add(CmapEntry.U64(key + "rx_pong_packets", (ulong)l.PongsReceived));
                entries.Add(CmapEntry.U32(key + "up_count", (uint)l.UpCount));
                entries.Add(CmapEntry.U32(key + "down_count", (uint)l.DownCount));
            }
        }
    }

    /// <summary>
    /// runtime.totem.crypto.rx_dropped (all) and one key per reason (rx_dropped_bad_tag, rx_dropped_replayed, ...),
    /// only when the node seals: a node with crypto none shows no crypto keys rather than zeros that look like protection.
    /// </summary>
    private static void AddSealCounters(List<CmapEntry> entries, TransportCounters transport)
    {
        const string crypto = "runtime.totem.crypto.";
        entries.Add(CmapEntry.U64(crypto + "rx_dropped", (ulong)transport.Unauthenticated));
        foreach (var reason in SealFailureNames.Reasons)
            entries.Add(CmapEntry.U64(crypto + "rx_dropped_" + SealFailureNames.Name(reason), (ulong)transport.SealFailures(reason)));
    }

    public async IAsyncEnumerable<ClusterEvent> Subscribe([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var dropped = 0L;
        var channel = Channel.CreateBounded<ClusterEvent>(
            new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref dropped));
        lock (_gate) _subscribers.Add(channel);
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var lost = Interlocked.Exchange(ref dropped, 0);
                if (lost > 0) yield return new EventsDropped(_clock.GetUtcNow(), lost);
                while (channel.Reader.TryRead(out var next)) yield return next;
            }
        }
        finally
        {
            lock (_gate) _subscribers.Remove(channel);
        }
    }

    /// <summary>
    /// Names and addresses as pvecm shows them: the nodelist's name and ring0_addr when there is a nodelist, else
    /// (discovery by DNS name) the address the node sends to and the host name the peer source found for it.
    /// </summary>
    private QuorumSnapshot QuorumSnapshotOf(QuorumStatus? q, LinkSnapshot link)
    {
        if (q is null)
            return new QuorumSnapshot(false, 0, 0, 0, 0, ValueList<string>.Empty, ValueList<QuorumNodeEntry>.Empty);
        var listed = _options.Nodelist.Where(n => n.NodeId is not null).GroupBy(n => n.NodeId!.Value).ToDictionary(g => g.Key, g => g.First());
        var names = _names();
        var nodes = q.Nodes.Select(n =>
        {
            listed.TryGetValue(n.NodeId, out var entry);
            names.TryGetValue(n.NodeId, out var found);
            var name = n.Name ?? entry?.Name ?? found;
            return new QuorumNodeEntry(n.NodeId, n.Votes, n.ExpectedVotes, name, entry?.RingAddress ?? AddressOf(n.NodeId, link), n.State == QuorumNodeState.Member);
        }).ToValueList();
        var flags = q.FlagsText.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToValueList();
        return new QuorumSnapshot(q.Quorate, q.TotalVotes, q.ExpectedVotes, q.HighestExpected, q.Quorum, flags, nodes);
    }

    private string? AddressOf(NodeId node, LinkSnapshot link)
    {
        if (node == _options.NodeId) return string.IsNullOrEmpty(link.LocalAddress) ? null : link.LocalAddress;
        var peer = link.Peers.FirstOrDefault(p => p.NodeId == node);
        if (peer is null || string.IsNullOrEmpty(peer.Address)) return null;
        return System.Net.IPEndPoint.TryParse(peer.Address, out var endpoint) ? endpoint.Address.ToString() : peer.Address;
    }

    private static WatchdogSnapshot WatchdogSnapshotOf(FencingStatus w) => new(
        w.Armed,
        w.DeadlineMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
        w.Mode,
        w.TimeoutMs);
}
