using Totem.Protocol.Config;

namespace Totem.Protocol.Quorum;

/// <summary>
/// Self-fencing: a node that has been quorate since it started and then loses quorum arms a deadline
/// (now + fencing.timeout); if quorum is not back by then it fences itself. A node that has never been quorate
/// is never armed, so nodes of a forming cluster do not restart each other in a loop.
/// </summary>
public sealed class FencingWatchdog
{
    /// <summary>
    /// The exit code of a fenced process: 75 is EX_TEMPFAIL from sysexits.h ("temporary failure, retry"), which
    /// tells an operator the stop was deliberate and that a restart is the intended recovery; a container's
    /// restart policy (on-failure, always, unless-stopped) restarts it.
    /// </summary>
    public const int FencedExitCode = 75;

    private readonly FencingSettings _settings;
    private bool _everQuorate;
    private long? _deadlineMs;
    private bool _fired;

    public FencingWatchdog(FencingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!Enum.IsDefined(settings.Mode))
            throw new ArgumentException($"fencing.mode {(int)settings.Mode} is not one of none, exit", nameof(settings));
        _settings = settings;
    }

    public FencingStatus Status => new(_settings.Mode, _settings.TimeoutMs, _everQuorate, _deadlineMs is not null, _deadlineMs, _fired);

    public IReadOnlyList<FencingOutput> Handle(FencingInput input, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input switch
        {
            QuorumObserved { Quorate: true } => OnQuorate(),
            QuorumObserved { Quorate: false } => OnQuorumLost(nowMs),
            FencingTimerExpired => OnTimerExpired(nowMs),
            _ => throw new ArgumentException($"unknown fencing input {input.GetType().Name}", nameof(input)),
        };
    }

    private IReadOnlyList<FencingOutput> OnQuorate()
    {
        _everQuorate = true;
        _fired = false;
        if (_deadlineMs is null) return [];
        _deadlineMs = null;
        return [new StopFencingTimer(), Log(QuorumLogLevel.Notice, "quorum regained, fencing disarmed")];
    }

    private IReadOnlyList<FencingOutput> OnQuorumLost(long nowMs)
    {
        // Repeated views without quorum keep the first deadline: the timeout counts from the loss.
        if (!_everQuorate || _deadlineMs is not null || _fired) return [];
        _deadlineMs = nowMs + _settings.TimeoutMs;
        return
        [
            new StartFencingTimer(_settings.TimeoutMs, _deadlineMs.Value),
            Log(QuorumLogLevel.Warning, "quorum lost, fencing in {TimeoutMs} ms (at {DeadlineMs} ms) unless quorum returns",
                _settings.TimeoutMs, _deadlineMs.Value),
        ];
    }

    private static FencingLog Log(QuorumLogLevel level, string template, params object?[] args) => new(level, template, args);

    private IReadOnlyList<FencingOutput> OnTimerExpired(long nowMs)
    {
        if (_deadlineMs is not { } deadline) return [];
        // A real timer may fire a little before the deadline (whole milliseconds of another clock): wait out
        // the rest instead of dropping the expiry, or an inquorate node would stay armed forever.
        if (nowMs < deadline) return [new StartFencingTimer((uint)(deadline - nowMs), deadline)];
        _deadlineMs = null;
        _fired = true;
        if (_settings.Mode == FencingMode.None)
            return [Log(QuorumLogLevel.Warning,
                "quorum not regained within {TimeoutMs} ms: would fence this node, but fencing mode is none", _settings.TimeoutMs)];
        var reason = $"quorum not regained within {_settings.TimeoutMs} ms";
        return
        [
            Log(QuorumLogLevel.Critical, "quorum not regained within {TimeoutMs} ms: fencing this node (exit code {ExitCode})",
                _settings.TimeoutMs, FencedExitCode),
            new FenceNode(FencedExitCode, reason),
        ];
    }
}
