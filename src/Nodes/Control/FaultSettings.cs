using System.Collections.Immutable;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Control;

/// <summary>An override of the all-peers fault for one peer.</summary>
public sealed record PeerFault(NodeId Peer, LinkFault Fault);

/// <summary>
/// The node's in-node fault injection: one fault for every peer, and overrides per peer (a peer
/// with an override gets only its override). Peers are kept in ascending id order, one entry each.
/// </summary>
public sealed record FaultSettings
{
    public static FaultSettings None { get; } = new(LinkFault.None, ValueList<PeerFault>.Empty);

    public FaultSettings(LinkFault all, ValueList<PeerFault> peers)
    {
        ArgumentNullException.ThrowIfNull(all);
        var byPeer = new SortedDictionary<NodeId, LinkFault>();
        foreach (var p in peers)
        {
            if (!byPeer.TryAdd(p.Peer, p.Fault))
                throw new ArgumentException($"peer {p.Peer} has more than one fault entry", nameof(peers));
        }
        All = all;
        Peers = byPeer.Where(p => !p.Value.IsNone || !all.IsNone).Select(p => new PeerFault(p.Key, p.Value)).ToValueList();
    }

    public LinkFault All { get; }
    public ValueList<PeerFault> Peers { get; }

    public bool IsNone => All.IsNone && Peers.All(p => p.Fault.IsNone);

    /// <summary>The fault that applies to datagrams sent to <paramref name="peer"/>.</summary>
    public LinkFault For(NodeId peer)
    {
        foreach (var p in Peers)
            if (p.Peer == peer) return p.Fault;
        return All;
    }

    public FaultSettings WithAll(LinkFault fault) => new(fault, Peers);

    public FaultSettings WithPeer(NodeId peer, LinkFault fault) =>
        new(All, Peers.Where(p => p.Peer != peer).Append(new PeerFault(peer, fault)).ToValueList());

    public FaultSettings WithoutPeer(NodeId peer) => new(All, Peers.Where(p => p.Peer != peer).ToValueList());

    public ImmutableSortedDictionary<NodeId, LinkFault> PeerMap => Peers.ToImmutableSortedDictionary(p => p.Peer, p => p.Fault);
}
