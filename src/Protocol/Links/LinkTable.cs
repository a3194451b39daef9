using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Links;

/// <summary>
/// knet's link layer without its sockets and threads (libknet's threads_heartbeat.c, links.c, threads_tx.c,
/// threads_rx.c): per host and per link a heartbeat (a ping every interval; down after the ping timeout without a
/// pong; up again after pong_count pongs that came back within the timeout), the choice of links for a datagram by
/// link_mode, and the duplicate filter on receive (knet's per-host sequence numbers: active mode sends each datagram
/// on every up link, and only the first copy may reach the ring). Pure: time is passed in, nothing is sent here; the
/// transport does what the outputs say. Not thread-safe: its owner serializes the calls.
/// <para>
/// A link starts down, as knet's do: nothing goes to a host until one of its links has had its pongs.
/// </para>
/// </summary>
public sealed class LinkTable
{
    private readonly Dictionary<NodeId, HostLinks> _hosts = new();
    private readonly LinkSettings[] _links;

    public LinkTable(NodeId local, LinkMode mode, IReadOnlyList<LinkSettings> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        if (links.Count == 0) throw new ArgumentException("a link table needs at least one link", nameof(links));
        if (links.Select(l => l.LinkNumber).Distinct().Count() != links.Count)
            throw new ArgumentException("each link number may appear once", nameof(links));
        foreach (var link in links)
        {
            if (link.LinkNumber >= LinkSettings.MaxLinks) throw new ArgumentOutOfRangeException(nameof(links), link.LinkNumber, "link numbers are 0..7");
            if (link.PingInterval <= TimeSpan.Zero || link.PingTimeout <= TimeSpan.Zero || link.PongCount < 1)
                throw new ArgumentOutOfRangeException(nameof(links), link, "ping interval, ping timeout and pong count must be positive");
        }
        Local = local;
        Mode = mode;
        _links = links.OrderBy(l => l.LinkNumber).ToArray();
    }

    public NodeId Local { get; }
    public LinkMode Mode { get; }
    public IReadOnlyList<LinkSettings> Links => _links;
    public IEnumerable<NodeId> Hosts => _hosts.Keys;

    /// <summary>Starts heartbeats to a host (a no-op for one already known or for this node itself).</summary>
    public void AddHost(NodeId host)
    {
        if (host == Local || _hosts.ContainsKey(host)) return;
        _hosts[host] = new HostLinks(_links.Length);
    }

    /// <summary>The earliest time <see cref="Tick"/> has something to do: a ping due or an up link's timeout; null with no hosts.</summary>
    public TimeSpan? NextDue
    {
        get
        {
            TimeSpan? next = null;
            foreach (var host in _hosts.Values)
            {
                for (var i = 0; i < _links.Length; i++)
                {
                    var state = host.Links[i];
                    var ping = state.LastPingSent is { } sent ? sent + _links[i].PingInterval : TimeSpan.Zero;
                    if (next is null || ping < next) next = ping;
                    if (state.Connected && state.LastPong + _links[i].PingTimeout is { } timeout && timeout < next) next = timeout;
                }
            }
            return next;
        }
    }

    /// <summary>Declares down every up link whose last pong is a ping timeout old, and asks for every ping that is due.</summary>
    public void Tick(TimeSpan now, List<LinkOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        foreach (var (id, host) in _hosts.OrderBy(h => h.Key))
        {
            var changed = (uint?)null;
            for (var i = 0; i < _links.Length; i++)
            {
                var link = _links[i];
                var state = host.Links[i];
                if (state.Connected && now - state.LastPong >= link.PingTimeout)
                {
                    state.Connected = false;
                    state.Pongs = 0;
                    outputs.Add(new LinkWentDown(id, link.LinkNumber));
                    changed ??= link.LinkNumber;
                }
                if (state.LastPingSent is not { } sent || now - sent >= link.PingInterval)
                {
                    state.LastPingSent = now;
                    outputs.Add(new PingDue(id, link.LinkNumber));
                }
            }
            if (changed is { } which) outputs.Add(Changed(id, host, which));
        }
    }

    /// <summary>
    /// A pong came back on <paramref name="link"/> for the ping sent at <paramref name="pingSentAt"/> (the time the
    /// ping carried, echoed). One older than the ping timeout is stale and counts for nothing, as knet discards it.
    /// </summary>
    public void OnPong(NodeId host, uint link, TimeSpan pingSentAt, TimeSpan now, List<LinkOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (!_hosts.TryGetValue(host, out var links) || IndexOf(link) is not { } i) return;
        var settings = _links[i];
        var rtt = now - pingSentAt;
        if (rtt < TimeSpan.Zero || rtt >= settings.PingTimeout) return;
        var state = links.Links[i];
        state.LastPong = now;
        state.Latency = rtt;
        if (state.Connected) return;
        state.Pongs++;
        if (state.Pongs < settings.PongCount) return;
        state.Connected = true;
        outputs.Add(new LinkWentUp(host, link));
        outputs.Add(Changed(host, links, link));
    }

    /// <summary>
    /// The links a datagram to <paramref name="host"/> goes on, written to <paramref name="into"/> (at least as long
    /// as <see cref="Links"/>); returns how many: 0 when the host has no up link (the datagram is lost, as knet drops
    /// it). passive: the up link of highest priority, ties to the lowest number; active: every up link; rr: the next
    /// up link after the one used last.
    /// </summary>
    public int Select(NodeId host, Span<uint> into)
    {
        if (!_hosts.TryGetValue(host, out var links)) return 0;
        switch (Mode)
        {
            case LinkMode.Active:
                var count = 0;
                for (var i = 0; i < _links.Length; i++)
                    if (links.Links[i].Connected) into[count++] = _links[i].LinkNumber;
                return count;
            case LinkMode.RoundRobin:
                for (var step = 1; step <= _links.Length; step++)
                {
                    var i = (links.RoundRobinLast + step) % _links.Length;
                    if (!links.Links[i].Connected) continue;
                    links.RoundRobinLast = i;
                    into[0] = _links[i].LinkNumber;
                    return 1;
                }
                return 0;
            default:
                if (Best(links) is not { } best) return 0;
                into[0] = _links[best].LinkNumber;
                return 1;
        }
    }

    /// <summary>
    /// True for the first copy of the host's datagram (<paramref name="epoch"/>, <paramref name="seq"/>), false for a
    /// copy already delivered (another link's, in active mode) or one too old to tell. A host's restart (a higher
    /// epoch) starts its sequence afresh. Datagrams of hosts not in the table pass unfiltered.
    /// </summary>
    public bool AcceptData(NodeId host, ulong epoch, ulong seq) =>
        !_hosts.TryGetValue(host, out var links) || links.Received.Accept(epoch, seq) == ReplayVerdict.Fresh;

    public LinkStatus Status(NodeId host, uint link)
    {
        if (!_hosts.TryGetValue(host, out var links)) throw new ArgumentException($"host {host} is not in the link table", nameof(host));
        var i = IndexOf(link) ?? throw new ArgumentOutOfRangeException(nameof(link), link, "not a configured link");
        var s = links.Links[i];
        return new LinkStatus(link, s.Connected, s.Pongs, s.LastPingSent, s.LastPong, s.Latency);
    }

    /// <summary>True when the host is in the table (heartbeats are answered only for such hosts, as knet's).</summary>
    public bool Knows(NodeId host) => _hosts.ContainsKey(host);

    /// <summary>True when the host has at least one up link.</summary>
    public bool IsReachable(NodeId host) => _hosts.TryGetValue(host, out var links) && links.Links.Any(l => l.Connected);

    private int? IndexOf(uint link)
    {
        for (var i = 0; i < _links.Length; i++)
            if (_links[i].LinkNumber == link) return i;
        return null;
    }

    private int? Best(HostLinks links)
    {
        int? best = null;
        for (var i = 0; i < _links.Length; i++)
            if (links.Links[i].Connected && (best is null || _links[i].Priority > _links[best.Value].Priority))
                best = i;
        return best;
    }

    private HostLinksChanged Changed(NodeId id, HostLinks host, uint changedLink)
    {
        var up = Enumerable.Range(0, _links.Length).Where(i => host.Links[i].Connected).Select(i => _links[i].LinkNumber).ToValueList();
        var best = Mode == LinkMode.Passive ? Best(host) : null;
        return new HostLinksChanged(id, best is { } b ? _links[b].LinkNumber : changedLink, Mode, up,
            best is { } bl ? _links[bl].LinkNumber : null, best is { } bp ? _links[bp].Priority : null);
    }

    private sealed class HostLinks(int links)
    {
        public LinkState[] Links { get; } = Enumerable.Range(0, links).Select(_ => new LinkState()).ToArray();
        public int RoundRobinLast { get; set; } = links - 1;
        public ReplayWindow Received { get; } = new();
    }

    private sealed class LinkState
    {
        public bool Connected { get; set; }
        public int Pongs { get; set; }
        public TimeSpan? LastPingSent { get; set; }
        public TimeSpan? LastPong { get; set; }
        public TimeSpan? Latency { get; set; }
    }
}
