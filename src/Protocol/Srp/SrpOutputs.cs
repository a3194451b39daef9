using Totem.Protocol.Wire;

namespace Totem.Protocol.Srp;

/// <summary>Everything a Totem engine asks of the world: the only way out.</summary>
public abstract record SrpOutput;

/// <summary>Put a message on the wire: to one node, or (Destination null) to every known peer, as udpu does.</summary>
public sealed record SendMessage(TotemMessage Message, NodeId? Destination) : SrpOutput;

public sealed record StartTimer(SrpTimer Timer, uint DelayMs) : SrpOutput;

public sealed record StopTimer(SrpTimer Timer) : SrpOutput;

/// <summary>
/// A message delivered to the application in the ring's total order: <paramref name="Seq"/> is the multicast whose frame
/// completed it and <paramref name="Piece"/> its place in that frame, so (RingId, Seq, Piece) names it on every member.
/// </summary>
public sealed record Delivered(RingId RingId, uint Seq, NodeId Source, DeliveryGuarantee Guarantee, ValueList<byte> Payload, int Piece = 0) : SrpOutput;

public enum ConfigurationKind { Transitional, Regular }

/// <summary>
/// A configuration change delivered in order with the messages (extended virtual synchrony): a
/// transitional configuration (the members that came from the same old ring) and then the regular one.
/// </summary>
public sealed record ConfigurationChanged(
    ConfigurationKind Kind,
    RingId RingId,
    ValueList<NodeId> Members,
    ValueList<NodeId> Joined,
    ValueList<NodeId> Left) : SrpOutput;

public sealed record StateChanged(SrpState From, SrpState To, string Reason) : SrpOutput;

/// <summary>The highest ring seq this node has seen; the host keeps it so a restarted node starts above it.</summary>
public sealed record RingSeqObserved(ulong RingSeq) : SrpOutput;

public enum SrpLogLevel { Debug, Information, Notice, Warning, Error }

/// <summary>
/// A log line in corosync's wording, as a structured template ("Token has not been received in {ElapsedMs} ms")
/// with its property values, so the host logs it through Serilog without the protocol depending on it.
/// </summary>
public sealed record SrpLog(SrpLogLevel Level, string Template, object?[] Args) : SrpOutput;

/// <summary>A submitted message was refused because too many messages already wait for the token (corosync: "queue full").</summary>
public sealed record SubmitRejected(ValueList<byte> Payload, string Reason) : SrpOutput;

/// <summary>
/// The node was paused (<see cref="PauseDetector"/>): drop the membership messages already queued for it, unprocessed, as
/// corosync's pause_flush empties its socket. When a join revealed the pause, the engine has already dropped it.
/// </summary>
public sealed record FlushMembershipMessages(long PausedMs) : SrpOutput;
