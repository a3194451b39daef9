using Totem.Protocol.Wire;

namespace Totem.Nodes.Control;

/// <summary>
/// The ring's UDP link as `corosync-cfgtool -s` shows it: our address and what we hear from each peer; with redundant
/// links, every knet link's socket too (<see cref="Links"/>, empty with one link).
/// </summary>
public sealed record LinkSnapshot(string LocalAddress, int Port, ValueList<PeerLinkStatus> Peers)
{
    public ValueList<LocalKnetLink> Links { get; init; } = ValueList<LocalKnetLink>.Empty;
}

/// <summary>
/// One peer of the link. <see cref="Connected"/> means a datagram arrived from it within the token
/// timeout; <see cref="LastHeard"/> is null when nothing was ever received.
/// </summary>
public sealed record PeerLinkStatus(NodeId NodeId, string Address, bool Connected, DateTimeOffset? LastHeard)
{
    /// <summary>Each knet link to the peer (empty with one link: no link layer runs).</summary>
    public ValueList<PeerKnetLink> Links { get; init; } = ValueList<PeerKnetLink>.Empty;
}
