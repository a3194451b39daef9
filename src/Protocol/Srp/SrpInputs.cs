using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Srp;

/// <summary>Everything that can happen to a Totem engine: the only way in.</summary>
public abstract record SrpInput;

/// <summary>A decoded datagram from the network.</summary>
public sealed record MessageReceived(TotemMessage Message) : SrpInput;

/// <summary>A timer the engine started has expired.</summary>
public sealed record TimerExpired(SrpTimer Timer) : SrpInput;

/// <summary>
/// The application, or a service (<paramref name="Lane"/>), asks to multicast a message through the ring. While a new
/// ring waits for its service synchronization only the services' messages are multicast.
/// </summary>
public sealed record SubmitMessage(ValueList<byte> Payload, DeliveryGuarantee Guarantee, SubmitLane Lane = SubmitLane.Application) : SrpInput;

/// <summary>Who submits a message: the application's traffic waits for the service synchronization, the services' runs it.</summary>
public enum SubmitLane { Application, Service }

/// <summary>
/// The services finished synchronizing ring <paramref name="Ring"/> (corosync's totemsrp_trans_ack, called when sync.c
/// completes): application messages flow again. Ignored when the ring is no longer the installed one.
/// </summary>
public sealed record TransAck(RingId Ring) : SrpInput;

/// <summary>The node is shutting down: tell the others so they reform at once.</summary>
public sealed record LeaveRing : SrpInput;

/// <summary>
/// A config reload changed the ring's timing (corosync's totempg_put_config after totem_volatile_config_read): every
/// timer started from now on uses <paramref name="Timeouts"/>; timers already running keep their deadline, as in
/// corosync, where totemsrp reads totem_config each time it arms a timer.
/// </summary>
public sealed record ApplyTimeouts(TotemTimeouts Timeouts) : SrpInput;
