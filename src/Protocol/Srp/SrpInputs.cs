using Totem.Protocol.Wire;

namespace Totem.Protocol.Srp;

/// <summary>Everything that can happen to a Totem engine: the only way in.</summary>
public abstract record SrpInput;

/// <summary>A decoded datagram from the network.</summary>
public sealed record MessageReceived(TotemMessage Message) : SrpInput;

/// <summary>A timer the engine started has expired.</summary>
public sealed record TimerExpired(SrpTimer Timer) : SrpInput;

/// <summary>The application asks to multicast a message through the ring.</summary>
public sealed record SubmitMessage(ValueList<byte> Payload, DeliveryGuarantee Guarantee) : SrpInput;

/// <summary>The node is shutting down: tell the others so they reform at once.</summary>
public sealed record LeaveRing : SrpInput;
