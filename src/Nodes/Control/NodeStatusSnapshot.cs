using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Control;

/// <summary>
/// One consistent view of a node, published by its actors. <see cref="Members"/> is the current ring
/// (ascending node id, the ring order); during gather/commit/recovery it is the last installed ring. <see cref="Store"/>
/// is null on a node that runs no replicated store.
/// </summary>
public sealed record NodeStatusSnapshot(
    NodeId NodeId,
    string ClusterName,
    string Transport,
    SrpState State,
    RingId RingId,
    ValueList<NodeId> Members,
    QuorumSnapshot Quorum,
    WatchdogSnapshot Watchdog,
    LinkSnapshot Link,
    DateTimeOffset StartedAt,
    DateTimeOffset At,
    StoreSnapshot? Store = null);
