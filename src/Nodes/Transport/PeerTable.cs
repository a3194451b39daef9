using System.Collections.Immutable;
using System.Net;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Transport;

/// <summary>
/// Where each peer's ring address is. Discovery replaces the whole table in the background; the
/// send path only reads the current immutable snapshot, so name resolution never blocks the token.
/// </summary>
public sealed class PeerTable
{
    private ImmutableSortedDictionary<NodeId, IPEndPoint> _peers = ImmutableSortedDictionary<NodeId, IPEndPoint>.Empty;
    private ImmutableSortedDictionary<NodeId, string> _names = ImmutableSortedDictionary<NodeId, string>.Empty;

    public event Action<IReadOnlyDictionary<NodeId, IPEndPoint>>? Changed;

    public ImmutableSortedDictionary<NodeId, IPEndPoint> Snapshot => Volatile.Read(ref _peers);

    /// <summary>Host names of the processors as the source knows them (reverse DNS in discovery mode), for status views only.</summary>
    public ImmutableSortedDictionary<NodeId, string> Names => Volatile.Read(ref _names);

    /// <summary>Replaces the names; the send path never reads them.</summary>
    public void ReplaceNames(IEnumerable<KeyValuePair<NodeId, string>> names) => Volatile.Write(ref _names, names.ToImmutableSortedDictionary());

    public bool TryGet(NodeId node, out IPEndPoint endpoint)
    {
        if (Snapshot.TryGetValue(node, out var found))
        {
            endpoint = found;
            return true;
        }
        endpoint = null!;
        return false;
    }

    /// <summary>Replaces the table; returns true when something changed.</summary>
    public bool Replace(IEnumerable<KeyValuePair<NodeId, IPEndPoint>> peers)
    {
        var next = peers.ToImmutableSortedDictionary();
        var current = Snapshot;
        if (current.Count == next.Count && current.All(p => next.TryGetValue(p.Key, out var e) && e.Equals(p.Value)))
            return false;
        Volatile.Write(ref _peers, next);
        Changed?.Invoke(next);
        return true;
    }
}
