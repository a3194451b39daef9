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
    double AvgBacklogCalc);
