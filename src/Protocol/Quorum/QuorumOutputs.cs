using Totem.Protocol.Wire;

namespace Totem.Protocol.Quorum;

/// <summary>Everything the votequorum calculator asks of the world: the only way out.</summary>
public abstract record QuorumOutput;

/// <summary>Multicast this node's node-info through the ring (agreed order).</summary>
public sealed record MulticastNodeInfo(NodeInfo Info) : QuorumOutput;

/// <summary>Multicast an operator's change through the ring (agreed order); every member applies it on delivery.</summary>
public sealed record MulticastReconfigure(Reconfigure Reconfigure) : QuorumOutput;

/// <summary>
/// (Re)start the last_man_standing_window timer: any earlier one is replaced. An expiry reported before
/// <paramref name="DeadlineMs"/> belongs to a replaced timer and is ignored.
/// </summary>
public sealed record StartLastManStandingTimer(uint DelayMs, long DeadlineMs) : QuorumOutput;

public sealed record StopLastManStandingTimer : QuorumOutput;

/// <summary>
/// The quorum view handed to the rest of the node (votequorum's quorum_callback): after every membership change
/// when the service synchronization activates votequorum (every member's node-info and barrier are in), and
/// whenever the quorate state changes between membership changes.
/// </summary>
public sealed record QuorumChanged(
    bool Quorate,
    RingId? RingId,
    ValueList<NodeId> Members,
    uint TotalVotes,
    uint ExpectedVotes,
    uint Quorum) : QuorumOutput;

/// <summary>
/// This node's leaving node-info came back through the ring: in agreed order, so every member that stays in the ring
/// has it too, and the node can now leave the ring.
/// </summary>
public sealed record LeavingAnnounced : QuorumOutput;

/// <summary>The answer to an operator command; a refused command changes nothing and says why.</summary>
public sealed record CommandResult(QuorumInput Command, bool Accepted, string Reason) : QuorumOutput;

/// <summary>A log line in corosync's wording as a structured template with its values.</summary>
public sealed record QuorumLog(QuorumLogLevel Level, string Template, object?[] Args) : QuorumOutput
{
    public string Render() => LogTemplate.Render(Template, Args);
}
