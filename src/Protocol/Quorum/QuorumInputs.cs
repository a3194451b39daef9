using Totem.Protocol.Wire;

namespace Totem.Protocol.Quorum;

/// <summary>Everything that can happen to the votequorum calculator: the only way in.</summary>
public abstract record QuorumInput;

/// <summary>
/// A regular configuration was installed and its service synchronization starts (votequorum's sync_init): <paramref name="Members"/> is the new ring's
/// membership. Messages delivered after it were sent on this ring (extended virtual synchrony).
/// </summary>
public sealed record MembershipChanged(RingId RingId, ValueList<NodeId> Members) : QuorumInput;

/// <summary>sync_process: the synchronization reached votequorum; it multicasts its node-info (once per sync).</summary>
public sealed record SyncProcess : QuorumInput;

/// <summary>sync_activate: every member's barrier for votequorum arrived; the quorum of this membership is decided and announced.</summary>
public sealed record SyncActivate : QuorumInput;

/// <summary>sync_abort: a membership change overtook this sync (votequorum keeps nothing of the round).</summary>
public sealed record SyncAbort : QuorumInput;

/// <summary>A node-info message delivered by the ring; <paramref name="Sender"/> is the ring's source of the message.</summary>
public sealed record NodeInfoReceived(NodeId Sender, NodeInfo Info) : QuorumInput;

/// <summary>A reconfigure message delivered by the ring.</summary>
public sealed record ReconfigureReceived(NodeId Sender, Reconfigure Reconfigure) : QuorumInput;

/// <summary>The last_man_standing_window timer requested by <see cref="StartLastManStandingTimer"/> fired.</summary>
public sealed record LastManStandingTimerExpired : QuorumInput;

/// <summary>Operator command (corosync-quorumtool -e, pvecm expected): set expected votes cluster-wide.</summary>
public sealed record SetExpectedVotes(uint ExpectedVotes) : QuorumInput;

/// <summary>Operator command (corosync-quorumtool -v [-n]): set a node's votes cluster-wide.</summary>
public sealed record SetVotes(NodeId NodeId, uint Votes) : QuorumInput;

/// <summary>Operator command (cmap quorum.cancel_wait_for_all=1): stop waiting for all nodes on every member.</summary>
public sealed record CancelWaitForAll : QuorumInput;

/// <summary>
/// The node is stopping cleanly (votequorum_exec_exit_fn): with allow_downscale it tells the others it is leaving, so
/// they lower expected votes when it goes; answered with a <see cref="CommandResult"/> (refused: nothing to announce).
/// </summary>
public sealed record AnnounceLeaving : QuorumInput;
