using System.Runtime.CompilerServices;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Srp;

/// <summary>
/// What both halves of the node share: the options, the output stream of the input being handled, the timer
/// and log helpers, and the counters of corosync's runtime.totem.pg.mrp.srp.* (each engine counts its own).
/// </summary>
public abstract class SrpEngineCore
{
    protected const uint SeqnoStartMsg = 0;
    protected const uint SeqnoStartToken = 0;

    private protected SrpOptions _options;
    private protected TotemTimeouts _timeouts;
    private protected readonly NodeId _myId;
    private protected List<SrpOutput> _out = new();
    private protected long _now;
    private protected SrpStats _stats;

    private protected SrpEngineCore(SrpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _timeouts = options.Timeouts;
        _myId = options.LocalNode;
    }

    public NodeId LocalNode => _myId;

    /// <summary>
    /// This engine's counters as they are now, copied (a struct: reading them allocates nothing, so an actor can hand
    /// them on after every step and build <see cref="SrpCounters"/> only when someone asks).
    /// </summary>
    public SrpStats Stats => _stats;

    /// <summary>Handles one input, appending what the engine asks for to a caller-owned list; invariants are checked after it.</summary>
    public void Handle(SrpInput input, long nowMs, List<SrpOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(outputs);
        _out = outputs;
        _now = nowMs;
        if (input is ApplyTimeouts apply) Retime(apply.Timeouts);
        else Step(input);
        AfterInput();
        AssertInvariants();
    }

    public IReadOnlyList<SrpOutput> Handle(SrpInput input, long nowMs)
    {
        var outputs = new List<SrpOutput>();
        Handle(input, nowMs, outputs);
        return outputs;
    }

    private protected abstract void Step(SrpInput input);

    /// <summary>The same checks as at construction: a reload can never give the engine timing it would refuse at start.</summary>
    private void Retime(TotemTimeouts timeouts)
    {
        var options = _options with { Timeouts = timeouts };
        options.Validate();
        _options = options;
        _timeouts = timeouts;
        OnTimeoutsApplied();
    }

    /// <summary>What an engine derived from the timing at start and must derive again (membership's pause detector).</summary>
    private protected virtual void OnTimeoutsApplied() { }

    private protected virtual void AfterInput() { }

    /// <summary>Throws <see cref="InvariantViolation"/> when the engine's state is one the protocol can never reach.</summary>
    public abstract void AssertInvariants();

    private protected void Check(bool holds, string invariant)
    {
        if (!holds) throw new InvariantViolation(GetType().Name, invariant);
    }

    /// <summary>As <see cref="Check(bool, string)"/>, with the text formatted only when the invariant does not hold.</summary>
    private protected void Check(bool holds, [InterpolatedStringHandlerArgument(nameof(holds))] ref InvariantText invariant)
    {
        if (!holds) throw new InvariantViolation(GetType().Name, invariant.ToStringAndClear());
    }

    // ---- sending, timers, logs ----

    /// <summary>To every peer; our own non-mcast multicasts reach us too (corosync's loopback). Our mcasts are already in the sort queue.</summary>
    private protected void Multicast(TotemMessage message)
    {
        _out.Add(new SendMessage(message, null));
        if (message is not McastMessage) _out.Add(new SelfDelivery(message));
    }

    private protected void DeliverToSelf(TotemMessage message) => _out.Add(new SelfDelivery(message));

    private protected void Unicast(TotemMessage message, NodeId destination)
    {
        if (destination == _myId) _out.Add(new SelfDelivery(message));
        else _out.Add(new SendMessage(message, destination));
    }

    private protected void StartTimer(SrpTimer timer, uint delayMs) => _out.Add(new StartTimer(timer, delayMs));

    private protected void StopTimer(SrpTimer timer) => _out.Add(new StopTimer(timer));

    private protected void ResetTokenTimeout()
    {
        StartTimer(SrpTimer.TokenLoss, _timeouts.Token);
        if (_timeouts.TokenWarningPercent > 0)
            StartTimer(SrpTimer.TokenWarning, TokenWarningDelay);
    }

    private protected uint TokenWarningDelay => (uint)((ulong)_timeouts.TokenWarningPercent * _timeouts.Token / 100);

    private protected void CancelTokenTimeout()
    {
        StopTimer(SrpTimer.TokenLoss);
        StopTimer(SrpTimer.TokenWarning);
    }

    private protected void ResetTokenRetransmitTimeout() => StartTimer(SrpTimer.TokenRetransmit, _timeouts.TokenRetransmit);

    private protected void Log(SrpLogLevel level, string template, params object?[] args) => _out.Add(new SrpLog(level, template, args));
}

/// <summary>The counters of one engine (corosync's totemsrp_stats); the node's are the sum of both engines'.</summary>
public struct SrpStats
{
    public ulong OrfTokenTx, OrfTokenRx, MembMergeDetectTx, MembMergeDetectRx, MembJoinTx, MembJoinRx;
    public ulong McastTx, McastRetx, McastRx, MembCommitTokenTx, MembCommitTokenRx;
    public ulong TokenHoldCancelTx, TokenHoldCancelRx;
    public ulong OperationalEntered, OperationalTokenLost, GatherEntered, GatherTokenLost;
    public ulong CommitEntered, CommitTokenLost, RecoveryEntered, RecoveryTokenLost;
    public ulong ConsensusTimeouts, RxMsgDropped, ContinuousGather, FailedToReceive;
    public ulong RetransmitRequests, MessagesDelivered, MessagesRejected;
    public long TokenRotationLastMs;

    /// <summary>This engine's alone: <see cref="SrpCounters.Combine"/> sums the two engines' into the node's.</summary>
    public static SrpCounters ToCounters(in SrpStats s, double rotationAvgMs, double backlogAvg) => new(
        s.OrfTokenTx, s.OrfTokenRx, s.MembMergeDetectTx, s.MembMergeDetectRx, s.MembJoinTx, s.MembJoinRx,
        s.McastTx, s.McastRetx, s.McastRx, s.MembCommitTokenTx, s.MembCommitTokenRx,
        s.TokenHoldCancelTx, s.TokenHoldCancelRx,
        s.OperationalEntered, s.OperationalTokenLost, s.GatherEntered, s.GatherTokenLost,
        s.CommitEntered, s.CommitTokenLost, s.RecoveryEntered, s.RecoveryTokenLost,
        s.ConsensusTimeouts, s.RxMsgDropped, s.ContinuousGather, s.FailedToReceive,
        s.RetransmitRequests, s.MessagesDelivered, s.MessagesRejected,
        s.TokenRotationLastMs, rotationAvgMs, backlogAvg);
}
