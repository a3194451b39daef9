using Totem.Protocol.Wire;

namespace Totem.Nodes.Control;

/// <summary>
/// votequorum's view, the numbers `corosync-quorumtool -s` prints. Flags use corosync's names:
/// "Quorate", "2Node", "WaitForAll", "LastManStanding", "AutoTieBreaker", "Qdevice".
/// </summary>
public sealed record QuorumSnapshot(
    bool Quorate,
    uint TotalVotes,
    uint ExpectedVotes,
    uint HighestExpected,
    uint Quorum,
    ValueList<string> Flags,
    ValueList<QuorumNodeEntry> Nodes);

/// <summary>One row of the quorum tool's membership table; <see cref="Member"/> is false for a known but absent node.</summary>
public sealed record QuorumNodeEntry(NodeId NodeId, uint Votes, uint ExpectedVotes, string? Name, string? Address, bool Member);
