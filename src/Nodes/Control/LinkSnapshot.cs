using Totem.Protocol.Wire;

namespace Totem.Nodes.Control;

/// <summary>The ring's UDP link as `corosync-cfgtool -s` shows it: our address and what we hear from each peer.</summary>
public sealed record LinkSnapshot(string LocalAddress, int Port, ValueList<PeerLinkStatus> Peers);

/// <summary>
/// One peer of the link. <see cref="Connected"/> means a datagram arrived from it within the token
/// timeout; <see cref="LastHeard"/> is null when nothing was ever received.
/// </summary>
public sealed record PeerLinkStatus(NodeId NodeId, string Address, bool Connected, DateTimeOffset? LastHeard);
