using Totem.Protocol.Srp;

namespace Totem.Nodes;

/// <summary>The engine's counters under the names corosync-cmapctl shows in runtime.totem.pg.mrp.srp.*.</summary>
public static class RuntimeCounters
{
    public static IEnumerable<(string Name, ulong Value)> Of(SrpCounters c)
    {
        yield return ("orf_token_tx", c.OrfTokenTx);
        yield return ("orf_token_rx", c.OrfTokenRx);
        yield return ("memb_merge_detect_tx", c.MembMergeDetectTx);
        yield return ("memb_merge_detect_rx", c.MembMergeDetectRx);
        yield return ("memb_join_tx", c.MembJoinTx);
        yield return ("memb_join_rx", c.MembJoinRx);
        yield return ("mcast_tx", c.McastTx);
        yield return ("mcast_retx", c.McastRetx);
        yield return ("mcast_rx", c.McastRx);
        yield return ("memb_commit_token_tx", c.MembCommitTokenTx);
        yield return ("memb_commit_token_rx", c.MembCommitTokenRx);
        yield return ("token_hold_cancel_tx", c.TokenHoldCancelTx);
        yield return ("token_hold_cancel_rx", c.TokenHoldCancelRx);
        yield return ("operational_entered", c.OperationalEntered);
        yield return ("operational_token_lost", c.OperationalTokenLost);
        yield return ("gather_entered", c.GatherEntered);
        yield return ("gather_token_lost", c.GatherTokenLost);
        yield return ("commit_entered", c.CommitEntered);
        yield return ("commit_token_lost", c.CommitTokenLost);
        yield return ("recovery_entered", c.RecoveryEntered);
        yield return ("recovery_token_lost", c.RecoveryTokenLost);
        yield return ("consensus_timeouts", c.ConsensusTimeouts);
        yield return ("rx_msg_dropped", c.RxMsgDropped);
        yield return ("continuous_gather", c.ContinuousGather);
        yield return ("firewall_enabled_or_nic_failure", c.FailedToReceive);
        yield return ("retransmit_requests", c.RetransmitRequests);
        yield return ("messages_delivered", c.MessagesDelivered);
        yield return ("token_rotation_last_ms", (ulong)Math.Max(0, c.TokenRotationLastMs));
        yield return ("token_rotation_avg_ms", (ulong)Math.Round(c.TokenRotationAvgMs));
        yield return ("avg_backlog_calc", (ulong)Math.Round(c.AvgBacklogCalc));
    }
}
