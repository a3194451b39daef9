namespace Totem.Protocol.Srp;

/// <summary>
/// corosync's process-pause detection (totemsrp.c: timer_function_pause_timeout, pause_flush): a timer every
/// token / 5 records that the node's own processing is alive; a membership message handled more than token / 2
/// after the last record means the node was stalled (a GC, VM steal, SIGSTOP), so the joins queued meanwhile are
/// stale views that must be flushed, not processed. Pure: the caller gives the time of every call.
/// <para>
/// Beyond corosync: the pause timer's own expiry, handled more than token / 2 after the previous one, reports the
/// pause too (once per pause). After a SIGCONT the timer thread and the socket race; in corosync a pause whose timer
/// wins goes unreported, here it is reported either way.
/// </para>
/// </summary>
public sealed class PauseDetector
{
    private uint _tokenMs;
    private long _aliveAtMs;
    private bool _reported;

    /// <param name="tokenMs">The effective token timeout (corosync's totem_config->token_timeout).</param>
    public PauseDetector(uint tokenMs, long nowMs)
    {
        if (tokenMs == 0) throw new ArgumentOutOfRangeException(nameof(tokenMs), "PauseDetector: the token timeout must be greater than 0");
        _tokenMs = tokenMs;
        _aliveAtMs = nowMs;
    }

    /// <summary>A reload changed the effective token: the tick and the threshold follow it; the last record stays.</summary>
    public void Retune(uint tokenMs)
    {
        if (tokenMs == 0) throw new ArgumentOutOfRangeException(nameof(tokenMs), "PauseDetector: the token timeout must be greater than 0");
        _tokenMs = tokenMs;
    }

    /// <summary>How often the caller records that it is alive (corosync: token_timeout / 5, reset_pause_timeout).</summary>
    public uint TickIntervalMs => Math.Max(1u, _tokenMs / 5);

    /// <summary>A stall longer than this is a pause (corosync: more than token_timeout / 2).</summary>
    public uint ThresholdMs => _tokenMs / 2;

    /// <summary>
    /// The pause timer fired: the node is running at <paramref name="nowMs"/>. Returns how long it was stalled when the
    /// timer comes more than token / 2 after the previous one and no membership message reported that pause already.
    /// </summary>
    public long? Tick(long nowMs)
    {
        var stalled = Stalled(nowMs);
        var unreported = stalled is not null && !_reported ? stalled : null;
        _aliveAtMs = Math.Max(_aliveAtMs, nowMs);
        _reported = false;
        return unreported;
    }

    /// <summary>How long the node was stalled when it handles a membership message at <paramref name="nowMs"/>; null when it was not paused.</summary>
    public long? PausedFor(long nowMs)
    {
        var stalled = Stalled(nowMs);
        if (stalled is not null) _reported = true;
        return stalled;
    }

    private long? Stalled(long nowMs)
    {
        var stalled = nowMs - _aliveAtMs;
        return stalled > ThresholdMs ? stalled : null;
    }
}
