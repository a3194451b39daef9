namespace Totem.Protocol.Srp;

/// <summary>
/// A snapshot of an engine's statistics, named after corosync's runtime.totem.pg.mrp.srp.* keys
/// (orf_token_tx is OrfTokenTx, ...). The last few are ours.
/// </summary>
public sealed record SrpCounters(
    ulong OrfTokenTx,
    ulong OrfTokenRx,
    ulong MembMergeDetectTx,
    ulong MembMergeDetectRx,
    ulong MembJoinTx,
    ulong MembJoinRx,
    ulong McastTx,
    ulong McastRetx,
    ulong McastRx,
    ulong MembCommitTokenTx,
    ulong MembCommitTokenRx,
    ulong TokenHoldCancelTx,
    ulong TokenHoldCancelRx,
    ulong OperationalEntered,
    ulong OperationalTokenLost,
    ulong GatherEntered,
    ulong GatherTokenLost,
    ulong CommitEntered,
    ulong CommitTokenLost,
    ulong RecoveryEntered,
    ulong RecoveryTokenLost,
    ulong ConsensusTimeouts,
    ulong RxMsgDropped,
    ulong ContinuousGather,
    ulong FailedToReceive,
    ulong RetransmitRequests,
    ulong MessagesDelivered,
    ulong MessagesRejected,
    long TokenRotationLastMs,
    double TokenRotationAvgMs,
    double AvgBacklogCalc)
{
    /// <summary>Nothing counted yet.</summary>
    public static SrpCounters Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>
    /// The node's counters from its two halves' (each engine counts its own; the averages are TokenHolder's, which
    /// sees the token), plus <paramref name="rxDropped"/> messages dropped before either engine saw them.
    /// </summary>
    public static SrpCounters Combine(SrpCounters membership, SrpCounters tokenHolder, ulong rxDropped) => new(
        membership.OrfTokenTx + tokenHolder.OrfTokenTx, membership.OrfTokenRx + tokenHolder.OrfTokenRx,
        membership.MembMergeDetectTx + tokenHolder.MembMergeDetectTx, membership.MembMergeDetectRx + tokenHolder.MembMergeDetectRx,
        membership.MembJoinTx + tokenHolder.MembJoinTx, membership.MembJoinRx + tokenHolder.MembJoinRx,
        membership.McastTx + tokenHolder.McastTx, membership.McastRetx + tokenHolder.McastRetx, membership.McastRx + tokenHolder.McastRx,
        membership.MembCommitTokenTx + tokenHolder.MembCommitTokenTx, membership.MembCommitTokenRx + tokenHolder.MembCommitTokenRx,
        membership.TokenHoldCancelTx + tokenHolder.TokenHoldCancelTx, membership.TokenHoldCancelRx + tokenHolder.TokenHoldCancelRx,
        membership.OperationalEntered + tokenHolder.OperationalEntered, membership.OperationalTokenLost + tokenHolder.OperationalTokenLost,
        membership.GatherEntered + tokenHolder.GatherEntered, membership.GatherTokenLost + tokenHolder.GatherTokenLost,
        membership.CommitEntered + tokenHolder.CommitEntered, membership.CommitTokenLost + tokenHolder.CommitTokenLost,
        membership.RecoveryEntered + tokenHolder.RecoveryEntered, membership.RecoveryTokenLost + tokenHolder.RecoveryTokenLost,
        membership.ConsensusTimeouts + tokenHolder.ConsensusTimeouts, membership.RxMsgDropped + tokenHolder.RxMsgDropped + rxDropped,
        membership.ContinuousGather + tokenHolder.ContinuousGather, membership.FailedToReceive + tokenHolder.FailedToReceive,
        membership.RetransmitRequests + tokenHolder.RetransmitRequests, membership.MessagesDelivered + tokenHolder.MessagesDelivered,
        membership.MessagesRejected + tokenHolder.MessagesRejected,
        membership.TokenRotationLastMs + tokenHolder.TokenRotationLastMs, tokenHolder.TokenRotationAvgMs, tokenHolder.AvgBacklogCalc);
}
