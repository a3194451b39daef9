using Totem.Protocol.Wire;
using static Totem.Protocol.Srp.NodeSets;

namespace Totem.Protocol.Srp;

/// <summary>The membership protocol: GATHER with joins and consensus, the commit token, merge detection, leave.</summary>
public sealed partial class TotemSrp
{
    private void GatherEnter(GatherFrom from)
    {
        _orfTokenDiscard = true;
        _originatedOrfToken = false;
        SetMerge(_proc, _myId);
        JoinMessageSend();

        StartTimer(SrpTimer.Join, _timeouts.Join);
        StartTimer(SrpTimer.Consensus, _timeouts.Consensus);
        StopTimer(SrpTimer.TokenRetransmit);
        CancelTokenTimeout();
        CancelMergeDetectTimeout();

        _consensus.Clear();
        _consensus.Add(_myId);

        Log(SrpLogLevel.Debug, "entering GATHER state from {GatherFrom}({Reason}).", (int)from, from.Describe());
        SetState(SrpState.Gather, from.Describe());
        _stats.GatherEntered++;
        if (from == GatherFrom.ConsensusTimeoutExpired) _stats.ContinuousGather++;
    }

    private void JoinMessageSend()
    {
        _stats.MembJoinTx++;
        Multicast(new JoinMessage(_myId, _ringId.Seq, _proc.ToValueList(), _failed.ToValueList()));
    }

    private void JoinTimeout()
    {
        if (State is not (SrpState.Gather or SrpState.Commit)) return;
        JoinMessageSend();
        StartTimer(SrpTimer.Join, _timeouts.Join);
    }

    private void OrfTokenTimeout()
    {
        switch (State)
        {
            case SrpState.Operational:
                Log(SrpLogLevel.Debug, "The token was lost in the OPERATIONAL state.");
                Log(SrpLogLevel.Notice,
                    "A processor failed, forming new configuration: token timed out ({TokenMs}ms), waiting {ConsensusMs}ms for consensus.",
                    _timeouts.Token, _timeouts.Consensus);
                GatherEnter(GatherFrom.TokenLostInOperational);
                _stats.OperationalTokenLost++;
                break;
            case SrpState.Gather:
                Log(SrpLogLevel.Debug, "The consensus timeout expired ({ConsensusMs}ms).", _timeouts.Consensus);
                ConsensusTimeoutExpired();
                GatherEnter(GatherFrom.ConsensusTimeoutExpired);
                _stats.GatherTokenLost++;
                break;
            case SrpState.Commit:
                Log(SrpLogLevel.Debug, "The token was lost in the COMMIT state.");
                GatherEnter(GatherFrom.TokenLostInCommit);
                _stats.CommitTokenLost++;
                break;
            case SrpState.Recovery:
                Log(SrpLogLevel.Debug, "The token was lost in the RECOVERY state.");
                RecoveryStateTokenLoss();
                _orfTokenDiscard = true;
                break;
        }
    }

    private void RecoveryStateTokenLoss()
    {
        OldRingStateRestore();
        GatherEnter(GatherFrom.TokenLostInRecovery);
        _stats.RecoveryTokenLost++;
    }

    /// <summary>Processors that did not agree within the consensus timeout are declared failed.</summary>
    private void ConsensusTimeoutExpired()
    {
        _stats.ConsensusTimeouts++;
        if (ConsensusAgreed())
        {
            _consensus.Clear();
            _consensus.Add(_myId);
            ResetTokenTimeout();
        }
        else
        {
            var silent = _proc.Where(n => !_consensus.Contains(n)).ToList();
            SetMerge(_failed, silent);
            GatherEnter(GatherFrom.ConsensusTimeout);
        }
    }

    private bool ConsensusAgreed()
    {
        foreach (var node in _proc)
            if (!_failed.Contains(node) && !_consensus.Contains(node)) return false;
        return true;
    }

    private bool LowestInConfig()
    {
        var candidates = Subtract(_proc, _failed);
        return candidates.Count > 0 && candidates.Min() == _myId;
    }

    private void OnJoin(NodeId from, ulong ringSeq, ValueList<NodeId> proc, ValueList<NodeId> failed, bool isLeave)
    {
        if (_tokenRingIdSeq < ringSeq) _tokenRingIdSeq = ringSeq;

        switch (State)
        {
            case SrpState.Operational:
                if (!IgnoreJoinUnderOperational(from, ringSeq, failed))
                    JoinProcess(from, proc, failed, isLeave);
                break;
            case SrpState.Gather:
                JoinProcess(from, proc, failed, isLeave);
                break;
            case SrpState.Commit:
                if (_newMemb.Contains(from) && ringSeq >= _ringId.Seq)
                {
                    JoinProcess(from, proc, failed, isLeave);
                    GatherEnter(GatherFrom.JoinDuringCommit);
                }
                break;
            case SrpState.Recovery:
                if (_newMemb.Contains(from) && ringSeq >= _ringId.Seq)
                {
                    JoinProcess(from, proc, failed, isLeave);
                    RecoveryStateTokenLoss();
                    GatherEnter(GatherFrom.JoinDuringRecovery);
                }
                break;
        }
    }

    /// <summary>A member's join from an older ring is stale; a join that names us failed we cannot agree to.</summary>
    private bool IgnoreJoinUnderOperational(NodeId from, ulong ringSeq, ValueList<NodeId> failed) =>
        failed.Contains(_myId) || (_memb.Contains(from) && ringSeq < _ringId.Seq);

    private void JoinProcess(NodeId from, ValueList<NodeId> proc, ValueList<NodeId> failed, bool isLeave)
    {
        var gatherEntered = false;
        if (SetEqual(proc, _proc) && SetEqual(failed, _failed))
        {
            if (!isLeave) _consensus.Add(from);

            if (ConsensusAgreed() && _failedToRecv)
            {
                // Everyone agreed we fail to receive: go on alone, a singleton ring.
                _failedToRecv = false;
                _proc.Clear();
                _proc.Add(_myId);
                _failed.Clear();
                CommitTokenCreate();
                CommitEnter();
                return;
            }
            if (ConsensusAgreed() && LowestInConfig())
            {
                CommitTokenCreate();
                CommitEnter();
            }
        }
        else if (IsSubset(proc, _proc) && IsSubset(failed, _failed))
        {
            // Nothing new in this join.
        }
        else if (_failed.Contains(from))
        {
            // A processor we consider failed does not change our view.
        }
        else
        {
            var procCount = _proc.Count;
            var failedCount = _failed.Count;
            SetMerge(_proc, proc);
            if (failed.Contains(_myId))
            {
                SetMerge(_failed, from);
            }
            else if (_memb.Contains(from))
            {
                if (!_failed.Contains(from)) SetMerge(_failed, failed);
                else SetMerge(_failed, Subtract(failed, _memb));
            }
            // corosync re-enters GATHER here even when the join taught it nothing: a processor outside our
            // old ring whose failed set we do not adopt. Each re-entry re-sends our join and restarts the
            // consensus timer, so two such processors answer each other's joins for ever (a join storm
            // that doubles every hop with a third node), and the consensus timeout that would separate
            // them never fires. Only new knowledge restarts GATHER; the join timer still re-sends our sets.
            if (_proc.Count != procCount || _failed.Count != failedCount)
            {
                GatherEnter(GatherFrom.MergeDuringJoin);
                gatherEntered = true;
            }
        }

        if (!gatherEntered && State == SrpState.Operational)
            GatherEnter(GatherFrom.JoinDuringOperational);
    }

    private void CommitTokenCreate()
    {
        Log(SrpLogLevel.Debug, "Creating commit token because I am the rep.");
        var members = Subtract(_proc, _failed).OrderBy(n => n)
            .Select(n => new CommitMember(n, default, 0, 0, false)).ToValueList();
        _commitToken = new CommitToken(_myId, new RingId(_myId, _tokenRingIdSeq + 4), 0, 0, members);
    }

    private void CommitEnter()
    {
        var commit = _commitToken!;
        OldRingStateSave();
        commit = CommitTokenUpdate(commit);
        _tokenTarget = commit.Members[commit.MemberIndex % commit.Members.Count].Node;

        StopTimer(SrpTimer.Join);
        StopTimer(SrpTimer.Consensus);

        _ringId = commit.RingId;
        _out.Add(new RingSeqObserved(_ringId.Seq));
        _tokenRingIdSeq = _ringId.Seq;

        Log(SrpLogLevel.Debug, "entering COMMIT state.");
        SetState(SrpState.Commit, "commit token");
        ResetTokenRetransmitTimeout();
        ResetTokenTimeout();
        _stats.CommitEntered++;
        _stats.ContinuousGather = 0;

        // A new ring starts its flow control from scratch.
        _myTrc = 0;
        _myPbl = 0;
        _myCbl = 0;

        CommitTokenSend(commit);
    }

    /// <summary>Writes this processor's old-ring state into its slot of the commit token and advances the index.</summary>
    private CommitToken CommitTokenUpdate(CommitToken commit)
    {
        var members = commit.Members.ToList();
        var index = commit.MemberIndex;
        _newMemb = members.Select(m => m.Node).ToList();

        _myReceivedFlg = _myAru == _myHighSeqReceived;
        members[index] = new CommitMember(_myId, _oldRingId, _oldRingStateAru, _myHighDelivered, _myReceivedFlg);

        // Anyone of my old ring with an aru below the highest aru seen so far has not received everything.
        var highAru = members[index].Aru;
        for (var i = 0; i <= index; i++)
            if (members[i].OldRingId == members[index].OldRingId && SeqNo.Lt(highAru, members[i].Aru))
                highAru = members[i].Aru;
        for (var i = 0; i <= index; i++)
        {
            if (members[i].OldRingId == members[index].OldRingId && SeqNo.Lt(members[i].Aru, highAru))
            {
                members[i] = members[i] with { ReceivedFlg = false };
                if (i == index) _myReceivedFlg = false;
            }
        }

        _commitToken = commit with { Sender = _myId, MemberIndex = index + 1, Members = members.ToValueList() };
        return _commitToken;
    }

    private void CommitTokenSend(CommitToken commit)
    {
        var sent = commit with { Sender = _myId, TokenSeq = commit.TokenSeq + 1 };
        _commitToken = sent;
        _retransmitToken = sent;
        _stats.MembCommitTokenTx++;
        Unicast(sent, _tokenTarget);
        ResetTokenRetransmitTimeout();
    }

    private void OnCommitToken(CommitToken commit)
    {
        if (!IsSaneCommitToken(commit))
        {
            _stats.RxMsgDropped++;
            return;
        }
        switch (State)
        {
            case SrpState.Operational:
                break;
            case SrpState.Gather:
                var candidates = Subtract(_proc, _failed);
                if (SetEqual(commit.Members.Select(m => m.Node).ToList(), candidates) && commit.RingId.Seq > _ringId.Seq)
                {
                    _commitToken = commit;
                    CommitEnter();
                }
                break;
            case SrpState.Commit:
                // Only the token that went all the way round installs; retransmitted first-round copies are dropped.
                if (commit.RingId == _ringId && commit.MemberIndex == commit.Members.Count)
                    RecoveryEnter(commit);
                break;
            case SrpState.Recovery:
                if (IAmRep && commit.RingId == _ringId && !_originatedOrfToken)
                {
                    _originatedOrfToken = true;
                    Log(SrpLogLevel.Debug, "Sending initial ORF token");
                    OrfTokenSendInitial();
                    ResetTokenTimeout();
                    ResetTokenRetransmitTimeout();
                }
                break;
        }
    }

    private bool IsSaneCommitToken(CommitToken commit)
    {
        var count = commit.Members.Count;
        if (count == 0 || commit.MemberIndex < 0 || commit.MemberIndex > count) return false;
        if (commit.Members.Select(m => m.Node).Distinct().Count() != count) return false;
        // Before the full round the slot at the index must be ours.
        return commit.MemberIndex == count || commit.Members[commit.MemberIndex].Node == _myId || State != SrpState.Gather;
    }

    // ---- merge detection ----

    private void StartMergeDetectTimeout()
    {
        if (_mergeDetectOutstanding) return;
        StartTimer(SrpTimer.Merge, _timeouts.Merge);
        _mergeDetectOutstanding = true;
    }

    private void CancelMergeDetectTimeout()
    {
        StopTimer(SrpTimer.Merge);
        _mergeDetectOutstanding = false;
    }

    private void MergeDetectTimeout()
    {
        _mergeDetectOutstanding = false;
        if (State == SrpState.Operational && IAmRep)
        {
            _stats.MembMergeDetectTx++;
            Multicast(new MergeDetect(_myId, _ringId));
        }
    }

    private void OnMergeDetect(MergeDetect merge)
    {
        if (merge.RingId == _ringId) return;
        OnForeignMessage(merge.Sender, GatherFrom.MergeDuringOperational, GatherFrom.MergeDuringGather);
    }

    /// <summary>A message of another ring: in OPERATIONAL or GATHER its sender joins our proc set and we gather.</summary>
    private void OnForeignMessage(NodeId from, GatherFrom inOperational, GatherFrom inGather)
    {
        switch (State)
        {
            case SrpState.Operational:
                SetMerge(_proc, from);
                GatherEnter(inOperational);
                break;
            case SrpState.Gather:
                if (!_proc.Contains(from))
                {
                    SetMerge(_proc, from);
                    GatherEnter(inGather);
                }
                break;
            default:
                _stats.RxMsgDropped++;
                break;
        }
    }

    // ---- leave ----

    private void Leave()
    {
        Log(SrpLogLevel.Debug, "sending join/leave message");
        SetMerge(_failed, _myId);
        var active = Subtract(_proc, [_myId]);
        _stats.MembJoinTx++;
        _out.Add(new SendMessage(new LeaveMessage(_myId, _ringId.Seq, active.ToValueList(), _failed.ToValueList()), null));
        foreach (var timer in Enum.GetValues<SrpTimer>()) StopTimer(timer);
        _left = true;
    }
}
