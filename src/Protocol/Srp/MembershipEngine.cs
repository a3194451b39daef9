using Totem.Protocol.Wire;
using static Totem.Protocol.Srp.NodeSets;

namespace Totem.Protocol.Srp;

/// <summary>
/// Membership's engine (corosync exec/totemsrp.c, the membership half): GATHER with joins, proc and failed
/// sets and consensus, the commit token's two rotations, merge detection, leave, the representative role.
/// It owns the node's <see cref="SrpState"/>, builds the <see cref="RingConfig"/> of each new ring and drives
/// TokenHolder with <see cref="MembershipCommand"/>s; TokenHolder's <see cref="TokenReport"/>s come back as
/// inputs (see Handshake.cs). It never reads TokenHolder's state other than through those reports.
/// </summary>
public sealed class MembershipEngine : SrpEngineCore
{
    private Action<SrpInput> _step;
    private bool _started;
    private bool _left;

    // The ring this node is on, and the installed regular configuration (my_ring_id, my_memb_list).
    private RingId _ringId;
    private List<NodeId> _memb = new();
    private NodeId _tokenTarget;
    private ulong _tokenRingIdSeq;

    // GatherRound: from leaving OPERATIONAL until the next ring is installed (my_proc_list, my_failed_list,
    // the consensus set, my_new_memb_list, the commit token).
    private readonly List<NodeId> _proc = new();
    private readonly List<NodeId> _failed = new();
    private readonly HashSet<NodeId> _consensus = new();
    // Processors that agreed with us in this gather and whose latest join (its failed set kept here) fails more
    // than we do: alive, one consensus timeout ahead of us. Not failed at our consensus timeout, whose verdicts on
    // processors outside our old ring we take over then (ConsensusTimeoutExpired).
    private readonly Dictionary<NodeId, ValueList<NodeId>> _movedOn = new();
    // Processors that agreed when an agreed consensus timeout reset the consensus set and have not sent a join
    // since: their next join decides whether they agree still, moved on (see TrackAgreement), or went silent.
    private readonly HashSet<NodeId> _agreedAtReset = new();
    private readonly HashSet<NodeId> _leaveMemb = new();
    // The highest ring seq each peer has used in a message we received (its joins, its commit tokens and merge
    // probes here; its tokens and multicasts as TokenHolder reports them).
    private readonly Dictionary<NodeId, ulong> _peerRingSeq = new();
    private bool _failedToRecv;
    private CommitToken? _commitToken;
    private List<NodeId> _newMemb = new();
    private bool _myReceivedFlg = true;
    private PauseDetector? _pause;

    // TokenHolder's ordered log as last reported (the old ring's state that goes into the commit token).
    private RingPosition _position;

    public MembershipEngine(SrpOptions options) : base(options)
    {
        _ringId = new RingId(_myId, options.InitialRingSeq);
        _step = StepOperational;
    }

    public SrpState State { get; private set; } = SrpState.Operational;
    public RingId RingId => _ringId;
    /// <summary>The installed regular configuration (empty until the first ring forms).</summary>
    public IReadOnlyList<NodeId> Members => _memb;
    public IReadOnlyList<NodeId> ProcSet => _proc;
    public IReadOnlyList<NodeId> FailedSet => _failed;
    public bool HasLeft => _left;
    public SrpCounters Counters => SrpStats.ToCounters(_stats, 0, 0);

    private bool IAmRep => _ringId.Representative == _myId;

    /// <summary>The node boots: like corosync it loads its ring seq, bumps it, and enters GATHER alone.</summary>
    public void Start(long nowMs, List<SrpOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (_started) throw new InvalidOperationException("MembershipEngine.Start was already called");
        _started = true;
        _out = outputs;
        _now = nowMs;
        // corosync bumps the loaded seq so a restarted representative never reuses a ring id.
        _ringId = new RingId(_myId, _options.InitialRingSeq + 1);
        _tokenRingIdSeq = _ringId.Seq;
        Log(SrpLogLevel.Debug, "Created or loaded sequence id {RingId} for this ring.", _ringId);
        _pause = new PauseDetector(_timeouts.Token, nowMs);
        StartTimer(SrpTimer.Pause, _pause.TickIntervalMs);
        GatherEnter(GatherFrom.InterfaceChange);
        AssertInvariants();
    }

    public IReadOnlyList<SrpOutput> Start(long nowMs)
    {
        var outputs = new List<SrpOutput>();
        Start(nowMs, outputs);
        return outputs;
    }

    private protected override void OnTimeoutsApplied() => _pause?.Retune(_timeouts.Token);

    private protected override void Step(SrpInput input)
    {
        if (!_started) throw new InvalidOperationException("MembershipEngine.Start must be called before Handle");
        if (_left) return;
        switch (input)
        {
            case TimerExpired { Timer: SrpTimer.Pause }:
                if (_pause!.Tick(_now) is { } lateMs) PauseFlush(lateMs);
                StartTimer(SrpTimer.Pause, _pause.TickIntervalMs);
                return;
            case MessageReceived { Message: JoinMessage or LeaveMessage } when _pause!.PausedFor(_now) is { } pausedMs:
                // corosync's message_handler_memb_join: a join handled after a stall is one of many queued during it.
                PauseFlush(pausedMs);
                _stats.RxMsgDropped++;
                return;
        }
        // Joins are judged against what their sender used before and then remembered, in OnJoin.
        switch (input)
        {
            case MessageReceived { Message: MergeDetect merge }: NotePeerRingSeq(merge.Sender, merge.RingId.Seq); break;
            case MessageReceived { Message: CommitToken commit }: NotePeerRingSeq(commit.Sender, commit.RingId.Seq); break;
        }
        _step(input);
    }

    private void PauseFlush(long pausedMs)
    {
        Log(SrpLogLevel.Notice, "Process pause detected for {PauseMs} ms, flushing membership messages.", pausedMs);
        _out.Add(new FlushMembershipMessages(pausedMs));
    }

    private void SetState(SrpState to, string reason)
    {
        var from = State;
        State = to;
        _step = to switch
        {
            SrpState.Operational => StepOperational,
            SrpState.Gather => StepGather,
            SrpState.Commit => StepCommit,
            _ => StepRecovery,
        };
        if (from != to) _out.Add(new StateChanged(from, to, reason));
    }

    private void Tell(MembershipCommand command) => _out.Add(new TellTokenHolder(command));

    public override void AssertInvariants()
    {
        if (!_started || _left) return;
        // A processor always gathers with itself: its joins name it, and the commit token needs its slot.
        Check(State is not (SrpState.Gather or SrpState.Commit) || _proc.Contains(_myId), "own id in proc during gather and commit");
        // GATHER restarts its consensus with this node's own agreement; joins only add to it.
        Check(State != SrpState.Gather || _consensus.Contains(_myId), "own id in consensus during gather");
        // OPERATIONAL is entered with proc = the installed members and nothing failed, and every input that
        // changes either set leaves OPERATIONAL in the same step.
        Check(State != SrpState.Operational || (_failed.Count == 0 && SetEqual(_proc, _memb)),
            "proc = members and no failed processor in operational");
        // The next commit token's ring seq is derived from the highest seq seen: it never lags our ring.
        Check(_tokenRingIdSeq >= _ringId.Seq, $"token ring seq {_tokenRingIdSeq} >= ring seq {_ringId.Seq}");
        // COMMIT and RECOVERY run on a commit token this node created or adopted.
        Check(State is not (SrpState.Commit or SrpState.Recovery) || _commitToken is not null, "a commit token in commit and recovery");
    }

    // ---- one step function per state ----

    private void StepOperational(SrpInput input)
    {
        switch (input)
        {
            case MessageReceived { Message: JoinMessage or LeaveMessage }:
                OnJoinMessage(((MessageReceived)input).Message, (from, ringSeq, proc, failed, isLeave) =>
                {
                    if (!IgnoreJoinUnderOperational(from, ringSeq, failed))
                        JoinProcess(from, proc, failed, isLeave);
                });
                break;
            case MessageReceived { Message: CommitToken commit }:
                IsSaneCommitTokenCounted(commit);
                break;
            case ForeignRingReport foreign:
                SetMerge(_proc, foreign.Source);
                GatherEnter(GatherFrom.ForeignMessageInOperational);
                break;
            case MessageReceived { Message: MergeDetect merge }:
                if (IsForeignMerge(merge))
                {
                    SetMerge(_proc, merge.Sender);
                    GatherEnter(GatherFrom.MergeDuringOperational);
                }
                break;
            case TokenLostReport:
                // TokenHolder logged "A processor failed, forming new configuration".
                GatherEnter(GatherFrom.TokenLostInOperational);
                _stats.OperationalTokenLost++;
                break;
            default:
                StepAnyState(input);
                break;
        }
    }

    private void StepGather(SrpInput input)
    {
        switch (input)
        {
            case MessageReceived { Message: JoinMessage or LeaveMessage }:
                OnJoinMessage(((MessageReceived)input).Message, JoinProcess);
                break;
            case MessageReceived { Message: CommitToken commit }:
                if (!IsSaneCommitTokenCounted(commit)) break;
                var candidates = Subtract(_proc, _failed);
                if (SetEqual(commit.Members.Select(m => m.Node).ToList(), candidates) && commit.RingId.Seq > _ringId.Seq)
                {
                    _commitToken = commit;
                    CommitEnter();
                }
                break;
            case ForeignRingReport foreign:
                OnForeignInGather(foreign.Source, GatherFrom.ForeignMessageInGather);
                break;
            case MessageReceived { Message: MergeDetect merge }:
                if (IsForeignMerge(merge)) OnForeignInGather(merge.Sender, GatherFrom.MergeDuringGather);
                break;
            case TokenLostReport:
                // In GATHER the token loss timer is the second consensus wait (ConsensusTimeoutExpired re-arms it).
                Log(SrpLogLevel.Debug, "The consensus timeout expired ({ConsensusMs}ms).", _timeouts.Consensus);
                ConsensusTimeoutExpired();
                GatherEnter(GatherFrom.ConsensusTimeoutExpired);
                _stats.GatherTokenLost++;
                break;
            case TimerExpired { Timer: SrpTimer.Join }:
                JoinTimeout();
                break;
            case InstalledReport installed:
                OnInstalledWhileGathering(installed);
                break;
            default:
                StepAnyState(input);
                break;
        }
    }

    private void StepCommit(SrpInput input)
    {
        switch (input)
        {
            case MessageReceived { Message: JoinMessage or LeaveMessage }:
                OnJoinMessage(((MessageReceived)input).Message, (from, ringSeq, proc, failed, isLeave) =>
                {
                    if (_newMemb.Contains(from) && (ringSeq >= _ringId.Seq || DropsOurCommitToken(proc, failed)))
                    {
                        JoinProcess(from, proc, failed, isLeave);
                        GatherEnter(GatherFrom.JoinDuringCommit);
                    }
                });
                break;
            case MessageReceived { Message: CommitToken commit }:
                if (!IsSaneCommitTokenCounted(commit)) break;
                // Only the token that went all the way round installs; retransmitted first-round copies are dropped.
                if (commit.RingId == _ringId && commit.MemberIndex == commit.Members.Count)
                    RecoveryEnter(commit);
                break;
            case ForeignRingReport:
                _stats.RxMsgDropped++;
                break;
            case MessageReceived { Message: MergeDetect merge }:
                if (IsForeignMerge(merge)) _stats.RxMsgDropped++;
                break;
            case TokenLostReport:
                Log(SrpLogLevel.Debug, "The token was lost in the COMMIT state.");
                GatherEnter(GatherFrom.TokenLostInCommit);
                _stats.CommitTokenLost++;
                break;
            case TimerExpired { Timer: SrpTimer.Join }:
                JoinTimeout();
                break;
            default:
                StepAnyState(input);
                break;
        }
    }

    /// <summary>
    /// A join from a member of the new ring that still carries its old ring seq (it has not taken our commit token) and
    /// whose sets say it never will: they hold news for us (not a subset of our proc and failed sets) and leave a
    /// member set other than the commit token's, and a processor in GATHER takes a commit token only when its proc
    /// minus failed is the token's member set (StepGather). Typically a processor that started while this merge
    /// was in COMMIT: its join reached that member before our commit token did. The token then never comes back,
    /// and totemsrp (message_handler_memb_join, MEMB_STATE_COMMIT: members with ring_seq >= my_ring_id.seq only)
    /// waits for the token timeout; we go back to GATHER with the news at once, as the token loss would, one token
    /// timeout earlier. A join overtaken on the wire from before the sender agreed is a subset of the agreed sets
    /// and is still ignored, so an attempt that can complete is never given up for it.
    /// </summary>
    private bool DropsOurCommitToken(ValueList<NodeId> proc, ValueList<NodeId> failed) =>
        !(IsSubset(proc, _proc) && IsSubset(failed, _failed)) && !SetEqual(Subtract(proc, failed), _newMemb);

    private void StepRecovery(SrpInput input)
    {
        switch (input)
        {
            case MessageReceived { Message: JoinMessage or LeaveMessage }:
                OnJoinMessage(((MessageReceived)input).Message, (from, ringSeq, proc, failed, isLeave) =>
                {
                    if (_newMemb.Contains(from) && ringSeq >= _ringId.Seq)
                    {
                        GatherFromTheNewRing();
                        JoinProcess(from, proc, failed, isLeave);
                        Tell(new AbandonRecovery());
                        GatherEnter(GatherFrom.TokenLostInRecovery);
                        _stats.RecoveryTokenLost++;
                        GatherEnter(GatherFrom.JoinDuringRecovery);
                    }
                });
                break;
            case MessageReceived { Message: CommitToken commit }:
                if (!IsSaneCommitTokenCounted(commit)) break;
                // The representative's commit token came back a third time: TokenHolder originates the ORF token (once).
                if (IAmRep && commit.RingId == _ringId) Tell(new OriginateToken());
                break;
            case ForeignRingReport:
                _stats.RxMsgDropped++;
                break;
            case MessageReceived { Message: MergeDetect merge }:
                if (IsForeignMerge(merge)) _stats.RxMsgDropped++;
                break;
            case TokenLostReport:
                // TokenHolder logged the loss and restored the old ring's aru and high seq.
                GatherFromTheNewRing();
                GatherEnter(GatherFrom.TokenLostInRecovery);
                _stats.RecoveryTokenLost++;
                break;
            case InstalledReport installed:
                OnInstalled(installed);
                break;
            default:
                StepAnyState(input);
                break;
        }
    }

    private void StepAnyState(SrpInput input)
    {
        switch (input)
        {
            case MessageReceived { Message: MergeDetect }:
            case MessageReceived { Message: JoinMessage or LeaveMessage or CommitToken }:
                throw new InvalidOperationException("handled by every state");
            case MessageReceived:
                _stats.RxMsgDropped++;
                break;
            case RingPositionReport report:
                _position = KeepSavedOldRing(report.Position);
                break;
            case PeerRingSeqReport seen:
                NotePeerRingSeq(seen.Sender, seen.RingSeq);
                break;
            case FailedToReceiveReport:
                _failedToRecv = true;
                SetMerge(_failed, _myId);
                GatherEnter(GatherFrom.FailedToReceive);
                break;
            case ForeignRingReport or TokenLostReport or InstalledReport:
                break;
            case TimerExpired { Timer: SrpTimer.Join }:
                break;
            case TimerExpired { Timer: SrpTimer.Consensus }:
                ConsensusTimeoutExpired();
                break;
            case TimerExpired expired:
                throw new ArgumentException($"Membership does not own the {expired.Timer} timer", nameof(input));
            case LeaveRing:
                Leave();
                break;
            default:
                throw new ArgumentException($"Unknown Membership input {input.GetType().Name}", nameof(input));
        }
    }

    // ---- joins ----

    private delegate void JoinHandler(NodeId from, ulong ringSeq, ValueList<NodeId> proc, ValueList<NodeId> failed, bool isLeave);

    private void OnJoinMessage(TotemMessage message, JoinHandler inState)
    {
        switch (message)
        {
            case JoinMessage join:
                _stats.MembJoinRx++;
                OnJoin(join.Sender, join.RingSeq, join.ProcList, join.FailedList, isLeave: false, inState);
                break;
            case LeaveMessage leave:
                _stats.MembJoinRx++;
                // Remembered in every state (corosync only does so while processing joins), so a leave that
                // races with the new ring's commit is not reported as a failure.
                Log(SrpLogLevel.Debug, "Received LEAVE message from {NodeId}", leave.Sender);
                _leaveMemb.Add(leave.Sender);
                OnJoin(leave.Sender, leave.RingSeq, leave.ProcList, leave.FailedList, isLeave: true, inState);
                break;
        }
    }

    private void OnJoin(NodeId from, ulong ringSeq, ValueList<NodeId> proc, ValueList<NodeId> failed, bool isLeave, JoinHandler inState)
    {
        if (_tokenRingIdSeq < ringSeq) _tokenRingIdSeq = ringSeq;
        if (IsStaleJoin(from, ringSeq, proc, failed, isLeave))
        {
            _stats.RxMsgDropped++;
            return;
        }
        NotePeerRingSeq(from, ringSeq);
        inState(from, ringSeq, proc, failed, isLeave);
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
    /// and the cycle repeats one consensus timeout after another. This check catches the timeout join that arrives
    /// after its sender's new ring was seen; the one that arrives first is not sent at all (<see cref="LeavesOnlyMe"/>).
    /// </para>
    /// <para>
    /// A processor's first join after it started names only itself (GATHER from "interface change", proc = {me},
    /// nothing failed). One with a ring seq below the remembered one is a restart that kept no ring seq (totemd
    /// without a state dir starts at 0), not an overtaken join: the sender is a new incarnation, so what its old
    /// one used is forgotten and the join heard, as corosync hears it. Dropping it would leave the survivors deaf to
    /// the restarted node until their consensus timeout failed it and a second gather took it in. Such a join is
    /// harmless even if it were an old one overtaken: it teaches nothing but that its sender exists.
    /// </para>
    /// </summary>
    private bool IsStaleJoin(NodeId from, ulong ringSeq, ValueList<NodeId> proc, ValueList<NodeId> failed, bool isLeave)
    {
        if (!_peerRingSeq.TryGetValue(from, out var latest) || ringSeq >= latest) return false;
        if (isLeave || failed.Count != 0 || proc.Count != 1 || proc[0] != from) return true;
        _peerRingSeq.Remove(from);
        return false;
    }

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

    private void JoinProcess(NodeId from, ulong ringSeq, ValueList<NodeId> proc, ValueList<NodeId> failed, bool isLeave) =>
        JoinProcess(from, proc, failed, isLeave);

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
            _agreedAtReset.Remove(from);
            return;
        }
        var supersetOfOurs = IsSubset(_proc, proc) && IsSubset(_failed, failed);
        var wasAgreeing = _consensus.Remove(from) | _agreedAtReset.Remove(from);
        if (wasAgreeing && supersetOfOurs) _movedOn[from] = failed;
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
            var unknownFailed = failed.Where(n => !_proc.Contains(n)).ToList();
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
            else if (unknownFailed.Count > 0)
            {
                // A processor we learn of only from a stranger's join that already fails it. corosync merges the
                // proc list and adopts no failed list from outside its old ring, so it waits for that processor
                // until its own consensus timeout, while the sender, which timed it out long ago, cannot agree
                // with us in the meantime: a second consensus round for a processor nobody has heard from (crashed
                // processors re-imported through the proc list of a processor still gathering on another old
                // ring, after the others had formed a ring without them; crashes 301283). We have no evidence of
                // it but that join, and that join says it failed; if it is alive after all, it shows itself to
                // the next gather. Processors we already know are left to our own timeout, as corosync does.
                SetMerge(_failed, unknownFailed);
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

    /// <param name="announce">false: to ourselves only (see <see cref="LeavesOnlyMe"/>).</param>
    private void JoinMessageSend(bool announce = true)
    {
        var join = new JoinMessage(_myId, _ringId.Seq, _proc.ToValueList(), _failed.ToValueList());
        if (!announce)
        {
            DeliverToSelf(join);
            return;
        }
        _stats.MembJoinTx++;
        Multicast(join);
    }

    private void JoinTimeout()
    {
        JoinMessageSend();
        StartTimer(SrpTimer.Join, _timeouts.Join);
    }

    // ---- GATHER and consensus ----

    private void GatherEnter(GatherFrom from, bool announce = true)
    {
        SetMerge(_proc, _myId);
        JoinMessageSend(announce);

        StartTimer(SrpTimer.Join, _timeouts.Join);
        StartTimer(SrpTimer.Consensus, _timeouts.Consensus);
        // TokenHolder stops the ring: it drops tokens and stops the token, retransmit and merge timers.
        Tell(new SuspendRing());

        _consensus.Clear();
        _consensus.Add(_myId);
        _movedOn.Clear();
        _agreedAtReset.Clear();

        Log(SrpLogLevel.Debug, "entering GATHER state from {GatherFrom}({Reason}).", (int)from, from.Describe());
        SetState(SrpState.Gather, from.Describe());
        _stats.GatherEntered++;
        if (from == GatherFrom.ConsensusTimeoutExpired) _stats.ContinuousGather++;
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
            // corosync resets the consensus set here (memb_consensus_reset) so that a processor that agreed and
            // then crashed, the representative whose commit token never came, is failed at the second wait (the
            // token timeout). A processor whose next join only fails more than we do was agreeing until that
            // join; it is one timeout ahead of us, not silent, so it keeps the exemption of _movedOn. Without
            // this, whether a join and this expiry in the same millisecond are taken in one order or the other
            // decided between one ring and two more consensus rounds (crashes 1002235 on the Akka kernel).
            _agreedAtReset.Clear();
            _agreedAtReset.UnionWith(_consensus.Where(n => n != _myId));
            _consensus.Clear();
            _consensus.Add(_myId);
            ResetTokenTimeout();
        }
        else
        {
            var silent = _proc.Where(n => !_consensus.Contains(n) && !_movedOn.ContainsKey(n)).ToList();
            SetMerge(_failed, silent);
            // Processors ahead of us can have failed each other; following every verdict would leave us alone
            // (crashes 1000353), following none of those would never fail either (partition-safety 1000260).
            // So they are taken in node-id order, and a processor already failed by an earlier one is not followed.
            foreach (var (ahead, verdicts) in _movedOn.OrderBy(m => m.Key))
            {
                if (_failed.Contains(ahead)) continue;
                SetMerge(_failed, Subtract(verdicts, _memb).Where(n => n != _myId));
            }
            GatherEnter(GatherFrom.ConsensusTimeout, announce: !LeavesOnlyMe());
        }
    }

    /// <summary>
    /// Whether our sets leave no processor but us: the consensus-timeout join would fail every other processor
    /// and we install a ring of our own at once. That join is not multicast, only handed to ourselves
    /// (memb_join_message_send multicasts it in corosync). Everywhere else it can only do harm: OPERATIONAL,
    /// COMMIT and RECOVERY ignore a join that names the receiver failed, and a processor in GATHER fails us for
    /// the rest of its gather ("my id is in its failed list") although our singleton ring's first messages reach it
    /// a moment later. When several processors time out in one instant (they restarted their timers on the same
    /// burst of joins), a neighbour's singleton ring puts each into a fresh gather just before that neighbour's
    /// timeout join arrives; they fail each other there and time out together again, one consensus timeout after
    /// another (partition-safety 303845: six processors, never converging; crashes 1006804: two rounds late).
    /// </summary>
    private bool LeavesOnlyMe()
    {
        var left = Subtract(_proc, _failed);
        return left.Count == 1 && left[0] == _myId;
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

    /// <summary>
    /// RECOVERY is given up (a join from a member of the new ring, or the token lost): the next gather starts from
    /// the new ring's members with nothing failed, as it does for the members that installed the ring
    /// (<see cref="OnInstalled"/>), not from the proc and failed sets that formed it.
    /// <para>
    /// Those sets have done their work once the commit token went round: every member agreed to them and left
    /// GATHER. corosync keeps them (only memb_state_operational_enter resets proc and clears failed), so a member
    /// that abandons the recovery brings the old round's verdicts into the next gather while the members that did
    /// install the ring have dropped them, and they take its failed set over at once (a member of their old ring,
    /// memb_join_process's rule). The representative is the last member to install (its initial ORF token counts
    /// for it only when it comes back), so a foreign multicast that reaches the first member to install puts that
    /// member back into GATHER with a join that reaches the representative before the token does. With the
    /// verdicts kept, every new ring is the old ring again: crashes seed 1005686 (zero-delay network after the
    /// faults stop) formed [2 4 5] and [1 3] thousands of times in one virtual instant, because node 2, the
    /// representative of [2 4 5], never installed and kept failing 1 and 3 (failed by "my id is in its failed
    /// list" before the ring formed) and nodes 4 and 5 adopted that again after each ring they installed. Starting
    /// from the new ring's members costs nothing for a processor that really failed: it is not in the new ring,
    /// and comes back into proc only through a join that names it, to be failed again at the consensus timeout
    /// that the members who installed the ring wait for as well.
    /// </para>
    /// </summary>
    private void GatherFromTheNewRing()
    {
        _proc.Clear();
        _proc.AddRange(_newMemb);
        _failed.Clear();
        // The old round's agreements were given for the sets just dropped.
        _consensus.Clear();
        _consensus.Add(_myId);
        _movedOn.Clear();
        _agreedAtReset.Clear();
    }

    // ---- COMMIT: the commit token's two rotations ----

    private void CommitTokenCreate()
    {
        Log(SrpLogLevel.Debug, "Creating commit token because I am the rep.");
        var members = Subtract(_proc, _failed).OrderBy(n => n)
            .Select(n => new CommitMember(n, default, 0, 0, false)).ToValueList();
        _commitToken = new CommitToken(_myId, new RingId(_myId, _tokenRingIdSeq + 4), 0, 0, members);
    }

    /// <summary>
    /// Takes TokenHolder's report, except that an old ring this node already saved stays saved until a ring is
    /// installed, as corosync keeps my_old_ring_id from the first commit (old_ring_state_save) until OPERATIONAL.
    /// Between the node's two actors a report TokenHolder sent before it took the EnterCommit (a multicast moved the
    /// log in GATHER) can arrive after COMMIT was entered and say nothing is saved; taken as it is, the next commit
    /// token after a failed attempt would name the failed ring as this node's old ring, and the other members would
    /// leave this node out of their transitional configuration. The Membership actor holds every other input until
    /// TokenHolder's answer (a current report) is in, which covers the usual case; this keeps the engine's own
    /// state right whatever order its reports come in. Composed (TotemSrp) a report never overtakes a command.
    /// </summary>
    private RingPosition KeepSavedOldRing(RingPosition reported) =>
        _position.OldRingSaved && !reported.OldRingSaved
            ? reported with { OldRingSaved = true, OldRingId = _position.OldRingId, OldRingAru = _position.OldRingAru }
            : reported;

    private void CommitEnter()
    {
        // The old ring's state as TokenHolder keeps it: saved at the first commit after OPERATIONAL (TokenHolder
        // saves it on EnterCommit, with the same values), kept through failed attempts.
        var oldRingId = _position.OldRingSaved ? _position.OldRingId : _ringId;
        var oldRingAru = _position.OldRingSaved ? _position.OldRingAru : _position.Aru;
        var commit = CommitTokenUpdate(_commitToken!, oldRingId, oldRingAru);
        _tokenTarget = commit.Members[commit.MemberIndex % commit.Members.Count].Node;
        var sent = NextHop(commit);
        var ring = new RingConfig(commit.RingId, _newMemb.ToValueList(), _tokenTarget);
        Tell(new EnterCommit(ring, sent, _position));
        _position = _position with { OldRingSaved = true, OldRingId = oldRingId, OldRingAru = oldRingAru };

        StopTimer(SrpTimer.Join);
        StopTimer(SrpTimer.Consensus);

        // Ring ids are never reused: a new ring's seq is above the ring this node is on, so tokens and
        // multicasts of an older ring can never be taken for the new ring's.
        Check(commit.RingId.Seq > _ringId.Seq, $"new ring seq {commit.RingId.Seq} above the old one {_ringId.Seq}");
        _ringId = commit.RingId;
        _out.Add(new RingSeqObserved(_ringId.Seq));
        _tokenRingIdSeq = _ringId.Seq;

        Log(SrpLogLevel.Debug, "entering COMMIT state.");
        SetState(SrpState.Commit, "commit token");
        ResetTokenRetransmitTimeout();
        ResetTokenTimeout();
        _stats.CommitEntered++;
        _stats.ContinuousGather = 0;

        CommitTokenSend(sent);
    }

    /// <summary>Writes this processor's old-ring state into its slot of the commit token and advances the index.</summary>
    private CommitToken CommitTokenUpdate(CommitToken commit, RingId oldRingId, uint oldRingAru)
    {
        var members = commit.Members.ToList();
        var index = commit.MemberIndex;
        _newMemb = members.Select(m => m.Node).ToList();

        _myReceivedFlg = _position.ReceivedAll;
        members[index] = new CommitMember(_myId, oldRingId, oldRingAru, _position.HighDelivered, _myReceivedFlg);

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

    private CommitToken NextHop(CommitToken commit) => commit with { Sender = _myId, TokenSeq = commit.TokenSeq + 1 };

    /// <summary>Sends an already stamped commit token on (TokenHolder has it for the token retransmit timer).</summary>
    private void CommitTokenSend(CommitToken sent)
    {
        _commitToken = sent;
        _stats.MembCommitTokenTx++;
        Unicast(sent, _tokenTarget);
        ResetTokenRetransmitTimeout();
    }

    private void RecoveryEnter(CommitToken commit)
    {
        Log(SrpLogLevel.Debug, "entering RECOVERY state.");
        var sent = NextHop(commit);
        CommitTokenSend(sent);
        Tell(new InstallRing(new RingConfig(_ringId, _newMemb.ToValueList(), _tokenTarget), sent, _myReceivedFlg));
        SetState(SrpState.Recovery, "commit token rotated");
        _stats.RecoveryEntered++;
        _stats.ContinuousGather = 0;
    }

    private bool IsSaneCommitTokenCounted(CommitToken commit)
    {
        _stats.MembCommitTokenRx++;
        if (IsSaneCommitToken(commit)) return true;
        _stats.RxMsgDropped++;
        return false;
    }

    private bool IsSaneCommitToken(CommitToken commit)
    {
        var count = commit.Members.Count;
        if (count == 0 || commit.MemberIndex < 0 || commit.MemberIndex > count) return false;
        if (commit.Members.Select(m => m.Node).Distinct().Count() != count) return false;
        // Before the full round the slot at the index must be ours.
        return commit.MemberIndex == count || commit.Members[commit.MemberIndex].Node == _myId || State != SrpState.Gather;
    }

    // ---- the ring is installed ----

    private void OnInstalled(InstalledReport installed)
    {
        _consensus.Clear();
        _memb = installed.Members.ToList();
        // TokenHolder dropped the saved old ring when it installed this one (corosync's old_ring_state_reset).
        _position = _position with { OldRingSaved = false };
        _proc.Clear();
        _proc.AddRange(_memb);
        _failed.Clear();
        LogNewMembership(installed.Joined, installed.Left);
        _leaveMemb.Clear();
        SetState(SrpState.Operational, "ring installed");
        _stats.OperationalEntered++;
        _stats.ContinuousGather = 0;
    }

    /// <summary>
    /// TokenHolder installed the ring while this node had already left RECOVERY on a join from a new member: the
    /// join reached Membership before TokenHolder's report did (the node's two actors; composed, TotemSrp hands
    /// the report over before any other input, so this never happens there). The configuration changes have been
    /// delivered, so the ring is this node's installed configuration: take its members (the next commit token's
    /// transitional set and the old-ring rule of the joins depend on them) and log the membership as corosync does
    /// on entering OPERATIONAL. The gather that join started goes on from proc = the new ring's members and nothing
    /// failed, where entering OPERATIONAL and then taking the join would have put it too.
    /// </summary>
    private void OnInstalledWhileGathering(InstalledReport installed)
    {
        if (installed.Ring.RingId != _ringId) return;
        _memb = installed.Members.ToList();
        _position = _position with { OldRingSaved = false };
        LogNewMembership(installed.Joined, installed.Left);
        _leaveMemb.Clear();
        _stats.OperationalEntered++;
    }

    private void LogNewMembership(IReadOnlyCollection<NodeId> joined, IReadOnlyCollection<NodeId> left)
    {
        Log(SrpLogLevel.Debug, "entering OPERATIONAL state.");
        var joinedText = Print(joined);
        var leftText = Print(left);
        if (joined.Count > 0 && left.Count > 0)
            Log(SrpLogLevel.Notice, "A new membership ({RingId}) was formed. Members joined: {Joined} left: {Left}", _ringId, joinedText, leftText);
        else if (joined.Count > 0)
            Log(SrpLogLevel.Notice, "A new membership ({RingId}) was formed. Members joined: {Joined}", _ringId, joinedText);
        else if (left.Count > 0)
            Log(SrpLogLevel.Notice, "A new membership ({RingId}) was formed. Members left: {Left}", _ringId, leftText);
        else
            Log(SrpLogLevel.Notice, "A new membership ({RingId}) was formed. Members", _ringId);

        var failed = left.Where(n => !_leaveMemb.Contains(n)).ToList();
        if (left.Count > 0 && failed.Count > 0)
            Log(SrpLogLevel.Notice, "Failed to receive the leave message. failed: {Failed}", Print(failed));
        // "Completed service synchronization, ready to provide service." follows once the ring's services synchronized (ServiceSync).
    }

    // ---- merge detection and foreign rings ----

    private bool IsForeignMerge(MergeDetect merge)
    {
        _stats.MembMergeDetectRx++;
        return merge.RingId != _ringId;
    }

    private void OnForeignInGather(NodeId from, GatherFrom reason)
    {
        if (_proc.Contains(from)) return;
        SetMerge(_proc, from);
        GatherEnter(reason);
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
