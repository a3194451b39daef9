using Totem.Protocol.Wire;

namespace Totem.Nodes.Control;

/// <summary>Something an operator watches for; each event is a fact with the time the node observed it.</summary>
public abstract record ClusterEvent(DateTimeOffset At);

/// <summary>"A new membership (R.S) was formed. Members joined: ... left: ..."</summary>
public sealed record MembershipFormed(DateTimeOffset At, RingId RingId, ValueList<NodeId> Members, ValueList<NodeId> Joined, ValueList<NodeId> Left)
    : ClusterEvent(At);

/// <summary>"Token has not been received in X ms" followed by "A processor failed, forming new configuration".</summary>
public sealed record TokenLost(DateTimeOffset At, RingId RingId, uint TimeoutMs) : ClusterEvent(At);

/// <summary>Quorum gained or lost, with votequorum's numbers at that moment.</summary>
public sealed record QuorumChanged(DateTimeOffset At, bool Quorate, uint TotalVotes, uint ExpectedVotes, uint Quorum, ValueList<NodeId> Members)
    : ClusterEvent(At);

/// <summary>Expected votes changed (run-time command, or raised because more votes were seen).</summary>
public sealed record ExpectedVotesChanged(DateTimeOffset At, uint ExpectedVotes, uint Quorum) : ClusterEvent(At);

/// <summary>Quorum was lost: the node fences itself at <see cref="Deadline"/> unless quorum returns.</summary>
public sealed record WatchdogArmed(DateTimeOffset At, DateTimeOffset Deadline) : ClusterEvent(At);

/// <summary>Quorum returned in time.</summary>
public sealed record WatchdogDisarmed(DateTimeOffset At) : ClusterEvent(At);

/// <summary>The watchdog expired; the node is about to exit (or, with fencing mode none, only reports it).</summary>
public sealed record NodeFenced(DateTimeOffset At, string Reason) : ClusterEvent(At);

/// <summary>
/// A knet link to a host came up or went down at this node ("rx: host: 2 link: 0 is up", "link: host: 2 link: 0 is
/// down"); <see cref="ActiveLinks"/> is how many links to the host are up after it (0: "host: host: 2 has no active
/// links"). The time is the node's clock: virtual in the simulator, wall in totemd.
/// </summary>
public sealed record KnetLinkChanged(DateTimeOffset At, NodeId Host, uint Link, bool Up, int ActiveLinks) : ClusterEvent(At);

/// <summary>This subscriber fell behind and <see cref="Count"/> events were skipped.</summary>
public sealed record EventsDropped(DateTimeOffset At, long Count) : ClusterEvent(At);

/// <summary>A key of the replicated store changed on this node (put or remove, applied in the ring's agreed order).</summary>
public sealed record StoreKeyChanged(DateTimeOffset At, string Path, bool Removed, ulong KeyVersion, NodeId Writer) : ClusterEvent(At);

/// <summary>A sync replaced this node's store with <paramref name="Source"/>'s copy (it was behind after a membership change).</summary>
public sealed record StoreStateReplaced(DateTimeOffset At, ulong Version, RingId Epoch, NodeId Source) : ClusterEvent(At);
