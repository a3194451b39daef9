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
        _movedOn.Clear();

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

    /// <summary>
    /// Processors that did not agree within the consensus timeout are declared failed
    /// (memb_state_consensus_timeout_expired), except those that agreed in this gather and have since only failed
    /// more processors than we have (<see cref="_movedOn"/>).
    /// <para>
    /// Processors that entered GATHER on the same events time out within a few milliseconds of each other. The
    /// first to expire fails the silent processors and multicasts its new failed set; a processor of another old
    /// ring cannot adopt it (memb_join_process merges a failed list only from a member of its own old ring), so
    /// the sender's agreement is withdrawn, and when our timer expires a millisecond later we would fail the
    /// sender too, although it is alive and only one timeout ahead of us. The groups then fail each other, and
    /// a processor outside both can follow neither: another consensus timeout, a ring of each group, a merge, and
    /// after a partition heals the rounds can repeat. corosync avoids that moment by restarting its consensus
    /// timer on that join (memb_state_gather_enter on every join it cannot merge), which costs it a full consensus
    /// timeout each time and, between processors with incomparable failed sets, postpones the timeout for ever.
    /// We fail only the silent processors instead, and take over the verdicts of the processors ahead of us on
    /// processors outside our old ring (failed minus my_memb, as memb_join_process does for a member it has
    /// failed): they timed those out themselves, and an agreement we still count for one of them may date from
    /// before it crashed. Our failed set then grows by what theirs grew by, and we agree with them at once. The
    /// exemption lasts one gather (GatherEnter clears it), so a processor that does not agree by the next expiry
    /// is failed then: at most one consensus timeout more. Our own old ring mates we still fail only on our own
    /// timeout, as corosync adopts a failed list only from a member of its old ring.
    /// </para>
    /// </summary>
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
            var silent = _proc.Where(n => !_consensus.Contains(n) && !_movedOn.ContainsKey(n)).ToList();
            SetMerge(_failed, silent);
            foreach (var ahead in _movedOn.Values) SetMerge(_failed, Subtract(ahead, _memb).Where(n => n != _myId));
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
        if (IsStaleJoin(from, ringSeq))
        {
            _stats.RxMsgDropped++;
            return;
        }
        NotePeerRingSeq(from, ringSeq);

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

    /// <summary>
    /// A join carrying a ring seq below one its sender has already used in a message we received was sent before
    /// the sender's latest membership change and overtaken on the wire (UDP reorders; corosync's joins and the
    /// first multicasts of the ring the sender installs right after leave within the same instant). Its proc and
    /// failed sets are views the sender has given up, so it is dropped, which is as safe as losing it: the sender
    /// repeats its current join every join timeout.
    /// <para>
    /// corosync drops the same kind of join only in OPERATIONAL and only from a member of its ring
    /// (ignore_join_under_operational: ring_seq below my_ring_id.seq). In GATHER it processes it, and after
    /// consensus timeouts that several processors reach at the same instant this keeps the membership from ever
    /// converging: each timeout join fails the other processors, each processor installs a ring of its own at
    /// once and multicasts on it, a neighbour's new-ring multicast puts a processor back into GATHER before that
    /// neighbour's timeout join (sent just before it) arrives, and memb_join_process then fails the neighbour
    /// ("my id is in its failed list") for the whole of the new gather; the processors time out together again
    /// and the cycle repeats one consensus timeout after another.
    /// </para>
    /// </summary>
    private bool IsStaleJoin(NodeId from, ulong ringSeq) =>
        _peerRingSeq.TryGetValue(from, out var latest) && ringSeq < latest;

    /// <summary>Remembers the highest ring seq a sender has used: its joins' ring_seq, the ring id of its tokens and multicasts.</summary>
    private void NotePeerRingSeq(NodeId sender, ulong ringSeq)
    {
        if (sender == _myId) return;
        if (!_peerRingSeq.TryGetValue(sender, out var latest) || latest < ringSeq)
            _peerRingSeq[sender] = ringSeq;
    }

    /// <summary>A member's join from an older ring is stale; a join that names us failed we cannot agree to.</summary>
    private bool IgnoreJoinUnderOperational(NodeId from, ulong ringSeq, ValueList<NodeId> failed) =>
        failed.Contains(_myId) || (_memb.Contains(from) && ringSeq < _ringId.Seq);

    /// <summary>
    /// Keeps the consensus set to the processors whose latest join carried our current proc and failed sets, and
    /// remembers which of them left it only by failing more than we do (see <see cref="_movedOn"/>).
    /// <para>
    /// corosync keeps the consensus set current through memb_state_gather_enter's memb_consensus_reset, which runs
    /// whenever a join differs from our sets and is not a subset of them. Our "merge during join" without new
    /// knowledge does not re-enter GATHER (see JoinProcess), and corosync's subset branch never resets: either way
    /// an agreement would outlive the sets it was given for, the representative would create a commit token for a
    /// ring a member no longer agrees to and then wait a token timeout in COMMIT for the token that member
    /// discards. Our own agreement stands for our current sets (GatherEnter records it), whatever a join of ours
    /// still queued on the loopback said.
    /// </para>
    /// </summary>
    private void TrackAgreement(NodeId from, ValueList<NodeId> proc, ValueList<NodeId> failed, bool agrees)
    {
        if (agrees)
        {
            _movedOn.Remove(from);
            return;
        }
        var supersetOfOurs = IsSubset(_proc, proc) && IsSubset(_failed, failed);
        if (_consensus.Remove(from) && supersetOfOurs) _movedOn[from] = failed;
        else if (!supersetOfOurs) _movedOn.Remove(from);
        else if (_movedOn.ContainsKey(from)) _movedOn[from] = failed;
    }

    private void JoinProcess(NodeId from, ValueList<NodeId> proc, ValueList<NodeId> failed, bool isLeave)
    {
        var gatherEntered = false;
        var agrees = SetEqual(proc, _proc) && SetEqual(failed, _failed);
        if (from != _myId) TrackAgreement(from, proc, failed, agrees);
        if (agrees)
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
            // What that re-entry also did, forget the sender's earlier agreement, TrackAgreement does. The
            // consensus timer thus restarts only when proc or failed grows, which happens a bounded number of
            // times (once per processor we learn of or fail), so every GATHER reaches its consensus timeout.
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
