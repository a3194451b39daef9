using System.Collections.Immutable;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Control;

/// <summary>An override of the all-peers fault for one peer.</summary>
public sealed record PeerFault(NodeId Peer, LinkFault Fault);

/// <summary>
/// A fault on one knet link at this node, both directions: what it sends on the link and what arrives on it (as a
/// cable pulled at this node cuts both). It adds to the all-peers and per-peer fault of what is sent.
/// </summary>
public sealed record KnetLinkFault(uint Link, LinkFault Fault);

/// <summary>
/// The node's in-node fault injection: one fault for every peer, and overrides per peer (a peer
/// with an override gets only its override). Peers are kept in ascending id order, one entry each; so are the faults
/// of single knet links (<see cref="KnetLinkFault"/>).
/// </summary>
public sealed record FaultSettings
{
    public static FaultSettings None { get; } = new(LinkFault.None, ValueList<PeerFault>.Empty);

    public FaultSettings(LinkFault all, ValueList<PeerFault> peers, ValueList<KnetLinkFault>? links = null)
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
        var byLink = new SortedDictionary<uint, LinkFault>();
        foreach (var l in links ?? ValueList<KnetLinkFault>.Empty)
        {
            if (!byLink.TryAdd(l.Link, l.Fault))
                throw new ArgumentException($"link {l.Link} has more than one fault entry", nameof(links));
        }
        Links = byLink.Where(l => !l.Value.IsNone).Select(l => new KnetLinkFault(l.Key, l.Value)).ToValueList();
    }

    public LinkFault All { get; }
    public ValueList<PeerFault> Peers { get; }

    /// <summary>Faults of single knet links, by link number.</summary>
    public ValueList<KnetLinkFault> Links { get; }

    public bool IsNone => All.IsNone && Peers.All(p => p.Fault.IsNone) && Links.Count == 0;

    /// <summary>The fault on link <paramref name="link"/> at this node (both directions); <see cref="LinkFault.None"/> when it has none.</summary>
    public LinkFault ForLink(uint link)
    {
        foreach (var l in Links)
            if (l.Link == link) return l.Fault;
        return LinkFault.None;
    }

    /// <summary>The fault that applies to datagrams sent to <paramref name="peer"/>.</summary>
    public LinkFault For(NodeId peer)
    {
        foreach (var p in Peers)
            if (p.Peer == peer) return p.Fault;
        return All;
    }

    public FaultSettings WithAll(LinkFault fault) => new(fault, Peers, Links);

    public FaultSettings WithPeer(NodeId peer, LinkFault fault) =>
        new(All, Peers.Where(p => p.Peer != peer).Append(new PeerFault(peer, fault)).ToValueList(), Links);

    public FaultSettings WithoutPeer(NodeId peer) => new(All, Peers.Where(p => p.Peer != peer).ToValueList(), Links);

    public FaultSettings WithLink(uint link, LinkFault fault) =>
        new(All, Peers, Links.Where(l => l.Link != link).Append(new KnetLinkFault(link, fault)).ToValueList());

    public FaultSettings WithoutLink(uint link) => new(All, Peers, Links.Where(l => l.Link != link).ToValueList());

    public ImmutableSortedDictionary<NodeId, LinkFault> PeerMap => Peers.ToImmutableSortedDictionary(p => p.Peer, p => p.Fault);
}
