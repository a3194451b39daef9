using Totem.Protocol.Wire;

namespace Totem.Nodes.Control;

/// <summary>
/// One knet link of this node as `corosync-cfgtool -s` heads it: the link number, the socket's address and port, and
/// what the link's socket dropped or refused (in-node faults, send errors, unauthenticated or unlisted datagrams).
/// </summary>
public sealed record LocalKnetLink(uint Link, string Address, int Port, long Dropped);

/// <summary>
/// One link to one peer as knet's heartbeat and this node's counters see it (corosync's stats.knet.nodeN.linkM.*):
/// up or down, the peer's address on the link, pings sent and pongs received, the round trip's median and 99th
/// percentile over the last pongs (null before the first), the ring's datagrams and bytes each way, and how often the
/// link went up and down. A datagram to several peers at once counts once for each.
/// </summary>
public sealed record PeerKnetLink(
    uint Link,
    string Address,
    bool Connected,
    long PingsSent,
    long PongsReceived,
    double? LatencyP50Ms,
    double? LatencyP99Ms,
    long LatencySamples,
    long TxDataPackets,
    long TxDataBytes,
    long RxDataPackets,
    long RxDataBytes,
    long Dropped,
    long UpCount,
    long DownCount);

/// <summary>Every link to one peer.</summary>
public sealed record PeerKnetLinks(NodeId Peer, ValueList<PeerKnetLink> Links);
