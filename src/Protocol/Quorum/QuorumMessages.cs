namespace Totem.Protocol.Quorum;

/// <summary>A votequorum message that travels through the ring in agreed order.</summary>
public abstract record QuorumMessage;

/// <summary>
/// What a node tells the others after each membership change (votequorum's req_exec_quorum_nodeinfo):
/// its votes, the expected votes it believes in, and its flags.
/// </summary>
public sealed record NodeInfo(Wire.NodeId NodeId, uint Votes, uint ExpectedVotes, NodeInfoFlags Flags) : QuorumMessage;

/// <summary>What a <see cref="Reconfigure"/> changes (votequorum's VOTEQUORUM_RECONFIG_PARAM_*; same values).</summary>
public enum ReconfigureParam : byte
{
    ExpectedVotes = 1,
    NodeVotes = 2,
    CancelWaitForAll = 3,
}

/// <summary>
/// An operator's change applied by every member when it is delivered (votequorum's req_exec_quorum_reconfigure),
/// so that `corosync-quorumtool -e` on one node changes expected votes cluster-wide.
/// </summary>
public sealed record Reconfigure(Wire.NodeId NodeId, ReconfigureParam Param, uint Value) : QuorumMessage;
