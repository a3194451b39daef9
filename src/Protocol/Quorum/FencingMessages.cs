using Totem.Protocol.Config;

namespace Totem.Protocol.Quorum;

/// <summary>What the fencing watchdog is told.</summary>
public abstract record FencingInput;

/// <summary>The node's quorate state as votequorum handed it out (every <see cref="QuorumChanged"/>).</summary>
public sealed record QuorumObserved(bool Quorate) : FencingInput;

/// <summary>The timer requested by <see cref="StartFencingTimer"/> fired.</summary>
public sealed record FencingTimerExpired : FencingInput;

/// <summary>What the fencing watchdog asks of the host.</summary>
public abstract record FencingOutput;

/// <summary>Start (or replace) the fencing timer; an expiry reported before <paramref name="DeadlineMs"/> is ignored.</summary>
public sealed record StartFencingTimer(uint DelayMs, long DeadlineMs) : FencingOutput;

public sealed record StopFencingTimer : FencingOutput;

/// <summary>Fence this node now: the host stops the process with <paramref name="ExitCode"/>, its supervisor restarts it.</summary>
public sealed record FenceNode(int ExitCode, string Reason) : FencingOutput;

public sealed record FencingLog(QuorumLogLevel Level, string Template, object?[] Args) : FencingOutput
{
    public string Render() => LogTemplate.Render(Template, Args);
}

/// <summary>The watchdog as tools show it.</summary>
public sealed record FencingStatus(FencingMode Mode, uint TimeoutMs, bool EverQuorate, bool Armed, long? DeadlineMs, bool Fired);
