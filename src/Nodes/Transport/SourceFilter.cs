using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Serilog;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Transport;

/// <summary>
/// totem.block_unlisted_ips: whether a datagram's source may reach the decoder at all. A source is listed when
/// its address (not its port, as totemudpu's find_member_by_sockaddr compares) is a peer's ring address in the
/// <see cref="PeerTable"/>: the nodelist's addresses, or with DNS discovery the ones resolved last, so a
/// refresh that adds or drops an address changes the answer from the next datagram on.
/// </summary>
public sealed class SourceFilter
{
    private readonly PeerTable _peers;
    private readonly ILogger? _log;
    private Listed _listed = new(null, FrozenSet<IPAddress>.Empty);

    /// <param name="enabled">totem.block_unlisted_ips; when false every source is admitted, as before the option.</param>
    public SourceFilter(PeerTable peers, bool enabled, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(peers);
        _peers = peers;
        Enabled = enabled;
        _log = log?.ForContext(Control.LogSubsystem.Property, Control.LogSubsystem.Transport);
    }

    public bool Enabled { get; }

    /// <summary>True when a datagram from <paramref name="from"/> may be decoded.</summary>
    public bool Admits(EndPoint from) => !Enabled || (from is IPEndPoint ip && IsListed(ip.Address));

    /// <summary>
    /// The receive path's hook: admits, or counts the drop and logs it with the line knet logs for it
    /// (udpu has the same words at debug), rate-limited to the 1st, 2nd, 4th, 8th... drop so a flood cannot fill the log.
    /// </summary>
    public bool Admit(EndPoint from, TransportCounters counters)
    {
        if (Admits(from)) return true;
        var n = counters.OnRejectedUnlisted();
        if (FloodLog.Logs(n))
            _log?.Warning("Packet rejected from {From:l} ({Count} so far; totem.block_unlisted_ips)", from.ToString(), n);
        return false;
    }

    private bool IsListed(IPAddress address)
    {
        var snapshot = _peers.Snapshot;
        var listed = Volatile.Read(ref _listed);
        // Rebuilt only when discovery replaced the table: the hot path is one reference compare and a set lookup.
        if (!ReferenceEquals(listed.Source, snapshot))
        {
            listed = new Listed(snapshot, snapshot.Values.Select(e => Canonical(e.Address)).ToFrozenSet());
            Volatile.Write(ref _listed, listed);
        }
        return listed.Addresses.Contains(Canonical(address));
    }

    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; the table may hold either form.
    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private sealed record Listed(ImmutableSortedDictionary<NodeId, IPEndPoint>? Source, FrozenSet<IPAddress> Addresses);
}
