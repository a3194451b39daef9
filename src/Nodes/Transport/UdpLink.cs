using System.Net;

namespace Totem.Nodes.Transport;

/// <summary>
/// One knet link of a node on real UDP: its number, where its socket binds (the node's ringN_addr, port 5405 + N
/// unless the link's interface block sets mcastport) and where every peer's ringN_addr is.
/// </summary>
public sealed record UdpLink(uint LinkNumber, IPEndPoint BindTo, PeerTable Peers);
