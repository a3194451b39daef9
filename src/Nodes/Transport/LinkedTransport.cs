using Serilog;
using Totem.Nodes.Control;
using Totem.Protocol.Links;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Transport;

/// <summary>
/// A ring's transport over several knet links: one inner transport per link (its own socket and port, or its own
/// simulated network), the <see cref="LinkTable"/> deciding which link each datagram takes, and the heartbeat that
/// tells up links from down ones. Every datagram is a <see cref="LinkFrame"/>; the inner transports seal and open
/// them as they do bare datagrams, so one seal covers every link. Pings are answered on the link they came on.
/// <para>
/// Calls come from the ring's sending actor, from each link's receive loop and from the heartbeat timer: one lock
/// serializes them, which also keeps the receive callback one-at-a-time across links, as <see cref="IDatagramTransport"/>
/// promises. Logs in knet's words ("link: host: 2 link: 0 is down", "host: host: 2 has no active links").
/// </para>
/// </summary>
public sealed class LinkedTransport : IDatagramTransport
{
    private readonly object _gate = new();
    private readonly LinkTable _table;
    private readonly IReadOnlyDictionary<uint, IDatagramTransport> _links;
    private readonly ILinkTimer _timer;
    private readonly ulong _epoch;
    private readonly ILogger _log;
    private readonly List<LinkOutput> _outputs = new();
    private readonly uint[] _selected;
    private readonly Dictionary<(NodeId Host, uint Link), LinkStats> _stats = new();
    private ulong _seq;
    private TimeSpan? _pendingWake;
    private bool _started;
    private bool _disposed;

    /// <param name="table">The link layer's state; the transport owns it from here on.</param>
    /// <param name="links">One started-never transport per link number of <paramref name="table"/>; disposed with this one.</param>
    /// <param name="hosts">The peers to keep heartbeats with (the nodelist; the local node is skipped).</param>
    /// <param name="epoch">This life's boot epoch, higher than any earlier life's: receivers restart their duplicate filter on it.</param>
    public LinkedTransport(LinkTable table, IReadOnlyDictionary<uint, IDatagramTransport> links, IEnumerable<NodeId> hosts, ILinkTimer timer, ulong epoch, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(timer);
        foreach (var link in table.Links)
            if (!links.ContainsKey(link.LinkNumber)) throw new ArgumentException($"no transport for link {link.LinkNumber}", nameof(links));
        _table = table;
        _links = links;
        _timer = timer;
        _epoch = epoch;
        _log = (log ?? Serilog.Core.Logger.None).ForContext(LogSubsystem.Property, LogSubsystem.Transport);
        _selected = new uint[LinkSettings.MaxLinks];
        foreach (var host in hosts) table.AddHost(host);
    }

    public NodeId LocalNode => _table.Local;
    public TransportCounters Counters { get; } = new();
    public LinkCounters LinkCounters { get; } = new();

    /// <summary>Every link event as it happens, with the timer's time (tests and the simulator measure failover with it).</summary>
    public Action<TimeSpan, LinkOutput>? OnLinkEvent { get; set; }

    /// <summary>
    /// The in-node fault on datagrams arriving on a link (`totemctl fault ... --link N` cuts both directions at this
    /// node): null drops the datagram, a positive delay holds it back; null: no inbound faults.
    /// </summary>
    public Func<uint, TimeSpan?>? InboundFault { get; init; }

    /// <summary>The transport of one link (for fault injection per link and per-link counters).</summary>
    public IDatagramTransport Link(uint link) => _links[link];

    /// <summary>The link numbers, ascending.</summary>
    public IEnumerable<uint> LinkNumbers => _links.Keys.Order();

    /// <summary>The hosts the heartbeat runs with, ascending.</summary>
    public IReadOnlyList<NodeId> Hosts
    {
        get
        {
            lock (_gate) return _table.Hosts.Order().ToList();
        }
    }

    /// <summary>Every link to every host: the heartbeat's state and the counters, with each peer's address on the link from <paramref name="addressOf"/>.</summary>
    public IReadOnlyList<PeerKnetLinks> PeerLinks(Func<uint, NodeId, string> addressOf)
    {
        ArgumentNullException.ThrowIfNull(addressOf);
        lock (_gate)
        {
            return _table.Hosts.Order().Select(host => new PeerKnetLinks(host, _table.Links.Select(l =>
            {
                var status = _table.Status(host, l.LinkNumber);
                var stats = Stats(host, l.LinkNumber);
                return new PeerKnetLink(l.LinkNumber, addressOf(l.LinkNumber, host), status.Connected, stats.PingsSent, stats.PongsReceived,
                    stats.Latency(50), stats.Latency(99), stats.LatencySamples, stats.TxDataPackets, stats.TxDataBytes, stats.RxDataPackets, stats.RxDataBytes,
                    stats.Dropped, stats.UpCount, stats.DownCount);
            }).ToValueList())).ToList();
        }
    }

    private LinkStats Stats(NodeId host, uint link)
    {
        if (!_stats.TryGetValue((host, link), out var stats)) _stats[(host, link)] = stats = new LinkStats();
        return stats;
    }

    /// <summary>What the links' own transports counted, added up: sealed datagrams refused, unlisted sources, faults, socket failures.</summary>
    public TransportCounters LinkTotals() => TransportCounters.Sum(_links.Values.Select(l => l.Counters));

    /// <summary>
    /// Starts heartbeats to hosts found after the start (a ring found by DNS grows as replicas start or are scaled up);
    /// known hosts are skipped. A host that leaves the answer stays: its links go down, as knet's do for a node that stops.
    /// </summary>
    public void AddHosts(IEnumerable<NodeId> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        lock (_gate)
        {
            if (_disposed) return;
            var added = false;
            foreach (var host in hosts)
            {
                if (host == LocalNode || _table.Knows(host)) continue;
                _table.AddHost(host);
                added = true;
            }
            // A new host's first ping is due at once: the alarm moves earlier.
            if (added && _started) ScheduleNext();
        }
    }

    /// <summary>A copy of one link's state to one host.</summary>
    public LinkStatus Status(NodeId host, uint link)
    {
        lock (_gate) return _table.Status(host, link);
    }

    public void Start(Action<ReceivedDatagram> onDatagram)
    {
        ArgumentNullException.ThrowIfNull(onDatagram);
        lock (_gate)
        {
            if (_started) throw new InvalidOperationException("The transport is already started.");
            _started = true;
        }
        foreach (var (number, link) in _links.OrderBy(l => l.Key))
            link.Start(datagram => OnFrame(number, datagram, onDatagram));
        Heartbeat();
    }

    public void Send(NodeId destination, byte[] datagram)
    {
        lock (_gate)
        {
            if (_disposed) return;
            Counters.OnSent();
            var frame = new LinkFrame(LinkFrameKind.Data, 0, LocalNode, _epoch, ++_seq);
            SendOn(destination, frame, datagram, _table.Select(destination, _selected));
        }
    }

    public void SendToAll(byte[] datagram)
    {
        lock (_gate)
        {
            if (_disposed) return;
            Counters.OnSent();
            var frame = new LinkFrame(LinkFrameKind.Data, 0, LocalNode, _epoch, ++_seq);
            // When every host takes the same single link (passive mode with every link up, the usual case) the link's
            // own send-to-all seals once for all; otherwise each host gets its copies on its own links.
            uint? common = null;
            var same = true;
            foreach (var host in _table.Hosts)
            {
                if (_table.Mode == LinkMode.RoundRobin || _table.Select(host, _selected) != 1 || (common is { } c && c != _selected[0]))
                {
                    same = false;
                    break;
                }
                common = _selected[0];
            }
            if (same && common is { } link)
            {
                var bytes = (frame with { Link = link }).ToDatagram(datagram);
                foreach (var host in _table.Hosts) CountData(host, link, bytes.Length);
                _links[link].SendToAll(bytes);
                return;
            }
            foreach (var host in _table.Hosts.Order())
                SendOn(host, frame, datagram, _table.Select(host, _selected));
        }
    }

    private void SendOn(NodeId destination, LinkFrame frame, byte[] datagram, int count)
    {
        if (count == 0)
        {
            LinkCounters.OnNoActiveLinks();
            return;
        }
        for (var i = 0; i < count; i++)
        {
            var link = _selected[i];
            var bytes = (frame with { Link = link }).ToDatagram(datagram);
            CountData(destination, link, bytes.Length);
            _links[link].Send(destination, bytes);
        }
    }

    private void CountData(NodeId host, uint link, int bytes)
    {
        var stats = Stats(host, link);
        stats.TxDataPackets++;
        stats.TxDataBytes += bytes;
    }

    private void OnFrame(uint arrivedOn, ReceivedDatagram datagram, Action<ReceivedDatagram> deliver, bool faulted = false)
    {
        lock (_gate)
        {
            if (_disposed) return;
            if (!LinkFrame.TryRead(datagram.Bytes.Span, out var frame, out var error))
            {
                Malformed(arrivedOn, datagram, error!);
                return;
            }
            if (frame.Link != arrivedOn)
            {
                Malformed(arrivedOn, datagram, $"frame of link {frame.Link} arrived on link {arrivedOn} (are the links' ports or addresses crossed?)");
                return;
            }
            if (datagram.SealedBy is { } sealedBy && sealedBy != frame.Sender)
            {
                // A key holder speaks only for itself, on the links as in the ring's messages.
                var n = Counters.OnSealFailure(Protocol.Security.SealFailure.SenderMismatch);
                if (FloodLog.Logs(n))
                    _log.Warning("Unable to decrypt/auth packet from {From}: {Reason}, sealed by node {SealedBy} but the link frame is from node {Sender} ({Count} so far)",
                        datagram.From.ToString(), Protocol.Security.SealFailure.SenderMismatch, sealedBy.Value, frame.Sender.Value, n);
                return;
            }
            if (!faulted && InboundFault is { } fault && _table.Knows(frame.Sender))
            {
                var fate = fault(arrivedOn);
                if (fate is null)
                {
                    Stats(frame.Sender, arrivedOn).Dropped++;
                    return;
                }
                if (fate.Value > TimeSpan.Zero)
                {
                    // The bytes live in the socket's buffer only during this call: the held-back datagram takes a copy.
                    var copy = datagram with { Bytes = datagram.Bytes.ToArray() };
                    _timer.After(fate.Value, () => OnFrame(arrivedOn, copy, deliver, faulted: true));
                    return;
                }
            }
            switch (frame.Kind)
            {
                case LinkFrameKind.Ping:
                    if (_table.Knows(frame.Sender))
                        _links[arrivedOn].Send(frame.Sender, new LinkFrame(LinkFrameKind.Pong, arrivedOn, LocalNode, _epoch, frame.Value).ToDatagram());
                    return;
                case LinkFrameKind.Pong:
                    LinkCounters.OnPongReceived();
                    _outputs.Clear();
                    var now = _timer.Now;
                    _table.OnPong(frame.Sender, arrivedOn, TimeSpan.FromTicks((long)frame.Value), now, _outputs);
                    if (_table.Knows(frame.Sender))
                    {
                        var stats = Stats(frame.Sender, arrivedOn);
                        stats.PongsReceived++;
                        // The table's round trip, taken only when this pong counted (a stale or future-dated one does not).
                        if (_table.Status(frame.Sender, arrivedOn) is { LastPong: { } last, Latency: { } latency } && last == now) stats.AddLatency(latency);
                    }
                    Act(_outputs);
                    ScheduleNext();
                    return;
                default:
                    if (_table.Knows(frame.Sender))
                    {
                        var stats = Stats(frame.Sender, arrivedOn);
                        stats.RxDataPackets++;
                        stats.RxDataBytes += datagram.Bytes.Length;
                    }
                    if (!_table.AcceptData(frame.Sender, frame.Epoch, frame.Value))
                    {
                        LinkCounters.OnDuplicate();
                        return;
                    }
                    Counters.OnReceived();
                    deliver(datagram with { Bytes = datagram.Bytes[LinkFrame.HeaderBytes..] });
                    return;
            }
        }
    }

    private void Malformed(uint link, ReceivedDatagram datagram, string error)
    {
        var n = LinkCounters.OnMalformed();
        if (FloodLog.Logs(n))
            _log.Warning("Dropped datagram from {From} on link {Link}: {Error} ({Count} so far)", datagram.From.ToString(), link, error, n);
    }

    private void Heartbeat()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _outputs.Clear();
            _table.Tick(_timer.Now, _outputs);
            Act(_outputs);
            ScheduleNext();
        }
    }

    /// <summary>
    /// One alarm outstanding at a time, at the table's next due time; an event that brings the due time earlier (a
    /// link coming up starts its timeout) sets an earlier one, and an alarm that finds nothing due sets none.
    /// </summary>
    private void ScheduleNext()
    {
        if (_table.NextDue is not { } due || (_pendingWake is { } pending && pending <= due)) return;
        _pendingWake = due;
        var now = _timer.Now;
        _timer.After(due > now ? due - now : TimeSpan.Zero, () =>
        {
            lock (_gate)
            {
                if (_pendingWake == due) _pendingWake = null;
            }
            Heartbeat();
        });
    }

    private void Act(List<LinkOutput> outputs)
    {
        var now = _timer.Now;
        foreach (var output in outputs)
        {
            switch (output)
            {
                case PingDue ping:
                    LinkCounters.OnPingSent();
                    Stats(ping.Host, ping.Link).PingsSent++;
                    _links[ping.Link].Send(ping.Host, new LinkFrame(LinkFrameKind.Ping, ping.Link, LocalNode, _epoch, (ulong)now.Ticks).ToDatagram());
                    continue;
                case LinkWentUp up:
                    Stats(up.Host, up.Link).UpCount++;
                    _log.Information("rx: host: {Host} link: {Link} is up", up.Host.Value, up.Link);
                    break;
                case LinkWentDown down:
                    Stats(down.Host, down.Link).DownCount++;
                    _log.Warning("link: host: {Host} link: {Link} is down", down.Host.Value, down.Link);
                    break;
                case HostLinksChanged { HasActiveLinks: false } none:
                    _log.Warning("host: host: {Host} has no active links", none.Host.Value);
                    break;
                case HostLinksChanged { BestLink: { } best } changed:
                    _log.Information("host: host: {Host} ({Mode:l}) best link: {Link} (pri: {Priority})", changed.Host.Value, changed.Mode.Word(), best, changed.BestPriority);
                    break;
                case HostLinksChanged changed:
                    _log.Information("host: host: {Host} has {Count} active links", changed.Host.Value, changed.UpLinks.Count);
                    break;
            }
            OnLinkEvent?.Invoke(now, output);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        foreach (var link in _links.Values) link.Dispose();
        // A process's timer stops with the transport; a simulation's belongs to the simulation.
        (_timer as IDisposable)?.Dispose();
    }
}
