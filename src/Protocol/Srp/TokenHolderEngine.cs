using System.Globalization;
using Totem.Protocol.Pg;
using Totem.Protocol.Wire;
using static Totem.Protocol.Srp.NodeSets;

namespace Totem.Protocol.Srp;

/// <summary>
/// TokenHolder's engine (corosync exec/totemsrp.c, the ordered-log half): the installed ring's ordered log,
/// token processing (seq, aru, rtr list, fcc, backlog), flow control, retransmission, agreed/safe delivery,
/// token hold on an idle ring, and the recovery ring after a membership change. Membership drives it with
/// <see cref="MembershipCommand"/>s; it answers with <see cref="TokenReport"/>s (see Handshake.cs).
/// <para>
/// Its <see cref="State"/> follows Membership's: in GATHER and COMMIT the ring is suspended and tokens are
/// dropped; RECOVERY starts on <see cref="InstallRing"/>; OPERATIONAL when the recovery ring is installed.
/// </para>
/// </summary>
public sealed class TokenHolderEngine : SrpEngineCore
{
    private const int RetransmitEntriesMax = 30;
    private const int RotationSamples = 100;

    private Action<SrpInput> _step;

    // RingConfig: the ring tokens and multicasts are matched against (the installed one, then the one being
    // formed), and the installed regular configuration.
    private RingConfig _ring;
    private List<NodeId> _memb = new();
    private RingId _oldRingId;

    // RingLog: the ordered log (my_aru, my_high_seq_received, my_high_delivered, the sort queues) and the
    // old ring's position saved at the first commit of a membership change.
    private uint _myAru = SeqnoStartMsg;
    private uint _myHighSeqReceived = SeqnoStartMsg;
    private uint _myHighDelivered = SeqnoStartMsg;
    private SortQueue _regular = new(unchecked(SeqnoStartMsg - 1));
    private SortQueue _recovery = new(SeqnoStartMsg);
    private uint _safeAru;
    private ulong _operationalTokensTaken;
    private uint _myLastAru;
    private bool _oldRingStateSaved;
    private uint _oldRingStateAru;
    private uint _oldRingStateHighSeqReceived;
    /// <summary>From InstallRing until the ring is installed or the recovery abandoned: aru and high seq count the new ring, high delivered the old one.</summary>
    private bool _onRecoveryRing;

    // TokenFlow: the token and what it carries for this node.
    private uint _myTokenSeq = unchecked(SeqnoStartToken - 1);
    private uint _myLastSeq;
    private int _mySeqUnchanged;
    private bool _myTokenHeld;
    private int _myAruCount;
    private TotemMessage? _retransmitToken;
    private bool _mergeDetectOutstanding;
    private uint _myTrc;
    private uint _myPbl;
    private uint _myCbl;
    // The packing layer (corosync's totempg) sits in the send queues: submitted messages wait in a Packer, which
    // makes each multicast's frame when the token lets this node send.
    private readonly Packer _newMessages;
    // corosync's new_message_queue_trans: while the new ring's services synchronize (waiting_trans_ack), only the
    // services' messages are multicast, from this queue; the application's wait in _newMessages until TransAck.
    private readonly Packer _newMessagesTrans;
    // Delivery unpacks the frames and reassembles fragmented messages, per sender and queue.
    private readonly Assembler _assembler = new();
    private readonly List<AssembledMessage> _assembled = new();
    private bool _waitingTransAck = true;
    private long _lastTokenRxMs = -1;
    private readonly Queue<long> _rotationSamples = new();
    private long _rotationSampleSum;
    private readonly Queue<uint> _backlogSamples = new();
    private long _backlogSampleSum;

    // RecoveryRound: one per InstallRing.
    private List<NodeId> _transMemb = new();
    private readonly Queue<McastMessage> _retransMessages = new();
    private uint _myHighRingDelivered;
    private bool _myReceivedFlg = true;
    private bool _mySetRetransFlg;
    private int _myRetransFlgCount;
    private int _myRotationCounter;
    private uint _myInstallSeq;
    private bool _originatedOrfToken;
    private int _recoveryFiltered;

    // What Membership was last told: the highest ring seq of each peer's tokens and multicasts, the ordered log's position.
    private readonly Dictionary<NodeId, ulong> _peerRingSeqTold = new();
    private RingPosition _reported;
    private bool _reportDue;

    public TokenHolderEngine(SrpOptions options) : base(options)
    {
        // The singleton ring id the node boots with (Membership bumps the loaded seq the same way).
        _ring = new RingConfig(new RingId(_myId, options.InitialRingSeq + 1), ValueList<NodeId>.Empty, default);
        _step = StepOperational;
        var frameBudget = PgLimits.FrameBudget(options.NetMtu);
        _newMessages = new Packer(PgQueue.Regular, frameBudget);
        _newMessagesTrans = new Packer(PgQueue.Trans, frameBudget);
    }

    public SrpState State { get; private set; } = SrpState.Operational;
    public RingId RingId => _ring.RingId;
    /// <summary>The installed regular configuration.</summary>
    public IReadOnlyList<NodeId> Members => _memb;
    public uint MyAru => _myAru;
    public uint HighDelivered => _myHighDelivered;
    public uint HighSeqReceived => _myHighSeqReceived;
    public int PendingMessages => _newMessages.Count + _newMessagesTrans.Count;
    /// <summary>Bytes of the submitted messages not yet multicast (of a message partly sent, what is left of it).</summary>
    public long PendingBytes => _newMessages.PendingBytes + _newMessagesTrans.PendingBytes;
    /// <summary>Bytes of pieces a multicast's frame may carry under the configured netmtu.</summary>
    public int FrameBudget => _newMessages.FrameBudget;
    /// <summary>Messages thrown away unfinished at delivery (their sender left or started them over).</summary>
    public long DiscardedFragmentedMessages => _assembler.Discarded;
    /// <summary>True from the installation of a ring until its service synchronization acknowledged it (<see cref="TransAck"/>): application messages are held back.</summary>
    public bool WaitingTransAck => _waitingTransAck;
    public RingPosition Position => new(_myAru, _myHighSeqReceived, _myHighDelivered, _oldRingStateSaved, _oldRingId, _oldRingStateAru);
    public double TokenRotationAvgMs => _rotationSamples.Count == 0 ? 0 : (double)_rotationSampleSum / _rotationSamples.Count;
    public double AvgBacklogCalc => _backlogSamples.Count == 0 ? 0 : (double)_backlogSampleSum / _backlogSamples.Count;
    public SrpCounters Counters => SrpStats.ToCounters(_stats, TokenRotationAvgMs, AvgBacklogCalc);

    /// <summary>
    /// Tokens of the installed ring taken while operational (not a retransmitted copy of one already taken). The token
    /// taken after a safe delivery has passed every other member since, and each delivered then what was safe: a safe
    /// message is safe on every member from the aru's second visit, so the next token each takes delivers it.
    /// </summary>
    public ulong OperationalTokensTaken => _operationalTokensTaken;

    private bool IAmRep => _ring.RingId.Representative == _myId;

    private SortQueue ActiveQueue => State == SrpState.Recovery ? _recovery : _regular;

    private void Become(SrpState state)
    {
        State = state;
        _step = state switch
        {
            SrpState.Operational => StepOperational,
            SrpState.Recovery => StepRecovery,
            _ => StepSuspended,
        };
    }

    private protected override void Step(SrpInput input)
    {
        // Membership judges a peer's joins by the highest ring seq the peer has used (in every state, tokens dropped or not).
        switch (input)
        {
            case MessageReceived { Message: OrfToken token }: NotePeerRingSeq(token.Sender, token.RingId.Seq); break;
            case MessageReceived { Message: McastMessage mcast }: NotePeerRingSeq(mcast.Sender, mcast.RingId.Seq); break;
        }
        _step(input);
    }

    private void NotePeerRingSeq(NodeId sender, ulong ringSeq)
    {
        if (sender == _myId) return;
        if (_peerRingSeqTold.TryGetValue(sender, out var told) && told >= ringSeq) return;
        _peerRingSeqTold[sender] = ringSeq;
        Tell(new PeerRingSeqReport(sender, ringSeq));
    }

    // ---- one step function per state ----

    private void StepOperational(SrpInput input)
    {
        switch (input)
        {
            case TimerExpired { Timer: SrpTimer.TokenLoss }:
                Log(SrpLogLevel.Debug, "The token was lost in the OPERATIONAL state.");
                Log(SrpLogLevel.Notice,
                    "A processor failed, forming new configuration: token timed out ({TokenMs}ms), waiting {ConsensusMs}ms for consensus.",
                    _timeouts.Token, _timeouts.Consensus);
                Tell(new TokenLostReport());
                break;
            case TimerExpired { Timer: SrpTimer.TokenHold }:
                TokenRetransmit();
                break;
            default:
                StepAnyState(input);
                break;
        }
    }

    private void StepRecovery(SrpInput input)
    {
        switch (input)
        {
            case TimerExpired { Timer: SrpTimer.TokenLoss }:
                Log(SrpLogLevel.Debug, "The token was lost in the RECOVERY state.");
                OldRingStateRestore();
                Tell(new TokenLostReport());
                break;
            case TimerExpired { Timer: SrpTimer.TokenHold }:
                TokenRetransmit();
                break;
            case OriginateToken:
                if (IAmRep && !_originatedOrfToken)
                {
                    _originatedOrfToken = true;
                    Log(SrpLogLevel.Debug, "Sending initial ORF token");
                    OrfTokenSendInitial();
                    ResetTokenTimeout();
                    ResetTokenRetransmitTimeout();
                }
                break;
            default:
                StepAnyState(input);
                break;
        }
    }

    /// <summary>GATHER and COMMIT: Membership owns the node; tokens are dropped, the token loss timer is Membership's.</summary>
    private void StepSuspended(SrpInput input)
    {
        switch (input)
        {
            case MessageReceived { Message: OrfToken }:
                // A node in GATHER or COMMIT drops ORF tokens (corosync's orf_token_discard).
                _stats.OrfTokenRx++;
                break;
            case TimerExpired { Timer: SrpTimer.TokenLoss }:
                Tell(new TokenLostReport());
                break;
            case TimerExpired { Timer: SrpTimer.TokenHold }:
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
            case MessageReceived { Message: OrfToken token }:
                _stats.OrfTokenRx++;
                OnOrfToken(token);
                break;
            case MessageReceived { Message: McastMessage mcast }:
                _stats.McastRx++;
                OnMcast(mcast);
                break;
            case MessageReceived { Message: TokenHoldCancel cancel }:
                _stats.TokenHoldCancelRx++;
                OnTokenHoldCancel(cancel);
                break;
            case MessageReceived:
                _stats.RxMsgDropped++;
                break;
            case TimerExpired { Timer: SrpTimer.TokenWarning }:
                OrfTokenWarning();
                break;
            case TimerExpired { Timer: SrpTimer.TokenRetransmit }:
                TokenRetransmitTimeout();
                break;
            case TimerExpired { Timer: SrpTimer.Merge }:
                MergeDetectTimeout();
                break;
            case TimerExpired expired:
                throw new ArgumentException($"TokenHolder does not own the {expired.Timer} timer", nameof(input));
            case SubmitMessage submit:
                Submit(submit);
                break;
            case TransAck ack:
                OnTransAck(ack);
                break;
            case SuspendRing:
                OnSuspend();
                break;
            case EnterCommit commit:
                OnEnterCommit(commit);
                break;
            case AbandonRecovery:
                // Only a recovery ring still on can be given up (the command usually follows a SuspendRing in the
                // same batch, so the state is GATHER by now). Composed (TotemSrp) the command always finds one;
                // between the node's actors it can arrive after this engine installed the new ring, whose log the
                // old ring's saved aru must not overwrite (Membership adopts the ring from the InstalledReport), or
                // after a token loss in RECOVERY, which restored the old ring's position already.
                if (_onRecoveryRing) OldRingStateRestore();
                _reportDue = true;
                break;
            case InstallRing install:
                RecoveryEnter(install);
                break;
            case OriginateToken:
                break;
            default:
                throw new ArgumentException($"Unknown TokenHolder input {input.GetType().Name}", nameof(input));
        }
    }

    private protected override void AfterInput()
    {
        // Membership writes the position into the commit token: tell it on every move while the ring is not
        // operational (mcasts still arrive in GATHER), and always in answer to its commands.
        var position = Position;
        if (_reportDue || (State != SrpState.Operational && position != _reported))
        {
            _reportDue = false;
            _reported = position;
            Tell(new RingPositionReport(position));
        }
    }

    public override void AssertInvariants()
    {
        // aru counts the messages received without a gap; it can never pass the highest seq received.
        Check(SeqNo.Lte(_myAru, _myHighSeqReceived), $"aru {_myAru:x} <= high seq received {_myHighSeqReceived:x}");
        // Delivery is in seq order over what was received on the same ring. (In RECOVERY aru and high seq
        // count the new ring while high delivered is still the old ring's, so there they do not compare.)
        Check(_onRecoveryRing || SeqNo.Lte(_myHighDelivered, _myHighSeqReceived),
            $"high delivered {_myHighDelivered:x} <= high seq received {_myHighSeqReceived:x}");
        // A message leaves the sort queue only once it was delivered here (and every member has it).
        Check(SeqNo.Lte(_regular.LastReleased, _myHighDelivered),
            $"last released {_regular.LastReleased:x} <= high delivered {_myHighDelivered:x}");
        // The saved old-ring state is a position the old ring really had: its aru never above its high seq.
        Check(!_oldRingStateSaved || SeqNo.Lte(_oldRingStateAru, _oldRingStateHighSeqReceived),
            $"saved aru {_oldRingStateAru:x} <= saved high seq {_oldRingStateHighSeqReceived:x}");
        // RECOVERY ends only when this node's retransmission queue ran dry (the retransmission flag stayed clear).
        Check(State != SrpState.Operational || _retransMessages.Count == 0, "no old-ring message left to re-multicast in OPERATIONAL");
        // Submit refuses what does not fit.
        Check(_newMessages.Count <= _options.MaxPendingMessages && _newMessagesTrans.Count <= _options.MaxPendingMessages, "pending messages within max");
        Check(_newMessages.PendingBytes <= _options.MaxPendingBytes && _newMessagesTrans.PendingBytes <= _options.MaxPendingBytes, "pending bytes within max");
    }

    private void Tell(TokenReport report) => _out.Add(new TellMembership(report));

    // ---- the handshake with Membership ----

    private void OnSuspend()
    {
        Become(SrpState.Gather);
        _originatedOrfToken = false;
        StopTimer(SrpTimer.TokenRetransmit);
        CancelTokenTimeout();
        CancelMergeDetectTimeout();
        _reportDue = true;
    }

    private void OnEnterCommit(EnterCommit commit)
    {
        OldRingStateSave(commit.Written);
        _ring = commit.Ring;
        _retransmitToken = commit.CommitTokenSent;
        Become(SrpState.Commit);
        // A new ring starts its flow control from scratch.
        _myTrc = 0;
        _myPbl = 0;
        _myCbl = 0;
        _reportDue = true;
    }

    /// <summary>
    /// Remember the old ring's position once, so a failed attempt at a new ring can fall back to it: the position
    /// Membership wrote into the commit token (composed, that is the log as it stands; see <see cref="EnterCommit"/>).
    /// </summary>
    private void OldRingStateSave(RingPosition written)
    {
        if (_oldRingStateSaved) return;
        _oldRingStateSaved = true;
        _oldRingId = _ring.RingId;
        _oldRingStateAru = written.Aru;
        _oldRingStateHighSeqReceived = written.HighSeqReceived;
        Log(SrpLogLevel.Debug, "Saving state aru {Aru:x} high seq received {HighSeq:x}", _oldRingStateAru, _oldRingStateHighSeqReceived);
        DiscardAboveSavedState(written);
    }

    /// <summary>
    /// corosync saves the old ring's state as it switches to the new ring id, so an old-ring multicast that comes
    /// later is foreign there and dropped. Between the node's actors, one that moved the log after the report
    /// Membership wrote into the commit token is that multicast: it must go too. Kept, it sits in the old ring's
    /// queue above the high seq the other members were told, so nobody re-multicasts it in RECOVERY, and when
    /// another member's copy of it comes back this node finds it already there: the copy no longer raises the
    /// saved high seq, the installation stops delivering below it, and the members that delivered it move on
    /// to the new ring with this one that did not (pauses seed 26743703). Below the written high seq a late
    /// message only fills a gap this node admitted to (its received flag is off), and it re-multicasts it.
    /// </summary>
    private void DiscardAboveSavedState(RingPosition written)
    {
        // Nothing is delivered after the suspension the written position answered (Membership holds its input
        // until that answer), so no delivered message can be discarded.
        Check(SeqNo.Lte(_myHighDelivered, written.HighSeqReceived),
            $"high delivered {_myHighDelivered:x} <= written high seq received {written.HighSeqReceived:x}");
        var late = SeqNo.Distance(written.HighSeqReceived, _myHighSeqReceived);
        if (late <= 0) return;
        for (var i = 1; i <= late; i++) _regular.Remove(unchecked(written.HighSeqReceived + (uint)i));
        _myHighSeqReceived = written.HighSeqReceived;
        if (SeqNo.Gt(_myAru, _myHighSeqReceived)) _myAru = _myHighSeqReceived;
        Log(SrpLogLevel.Debug, "Discarded {Count} old ring message(s) received after the position written into the commit token.", late);
    }

    private void OldRingStateRestore()
    {
        _myAru = _oldRingStateAru;
        _myHighSeqReceived = _oldRingStateHighSeqReceived;
        _onRecoveryRing = false;
        Log(SrpLogLevel.Debug, "Restoring instance->my_aru {Aru:x} my high seq received {HighSeq:x}", _myAru, _myHighSeqReceived);
    }

    // ---- the token ----

    private void OnOrfToken(OrfToken token)
    {
        // An unchanged seq means an idle ring: look for other rings and let the representative hold the token.
        if (token.Seq == _myLastSeq)
        {
            StartMergeDetectTimeout();
            _mySeqUnchanged++;
        }
        else
        {
            CancelMergeDetectTimeout();
            StopTimer(SrpTimer.TokenHold);
            _mySeqUnchanged = 0;
        }
        _myLastSeq = token.Seq;

        var seqnoUnchangedConst = (int)_timeouts.SeqnoUnchangedConst;
        _myTokenHeld = IAmRep ? _mySeqUnchanged > seqnoUnchangedConst : _mySeqUnchanged >= seqnoUnchangedConst;
        var forwardToken = !(IAmRep && _myTokenHeld);

        if (token.RingId != _ring.RingId) return;
        if (SeqNo.Lte(token.TokenSeq, _myTokenSeq)) return;

        RecordTokenReceived();
        if (State == SrpState.Operational) MessagesFree(token.Aru);

        var lastAru = _myLastAru;
        _myLastAru = token.Aru;
        if (State == SrpState.Operational)
        {
            _operationalTokensTaken++;
            // Every member has what is at or below the aru the token carried on two consecutive visits.
            var safe = SeqNo.Min(token.Aru, lastAru);
            if (SeqNo.Gt(safe, _safeAru)) _safeAru = safe;
        }

        var transmitsAllowed = FccCalculate(token);
        var rtr = new List<uint>(token.RetransmitList);
        var retransmitted = OrfTokenRtr(token.Seq, rtr, ref transmitsAllowed);

        if (_options.CancelTokenHoldOnRetransmit && _myTokenHeld && (rtr.Count > 0 || retransmitted > 0))
        {
            _myTokenHeld = false;
            forwardToken = true;
        }

        FccRtrLimit(token.Seq, ref transmitsAllowed);
        var seq = token.Seq;
        var mcasted = OrfTokenMcast(ref seq, transmitsAllowed);

        var transmitted = retransmitted + mcasted;
        var fcc = unchecked(token.Fcc + transmitted - _myTrc);
        var backlog = unchecked(token.Backlog + _myCbl - _myPbl);
        _myTrc = transmitted;
        _myPbl = _myCbl;

        var aru = token.Aru;
        var aruAddr = token.AruAddr;
        if (SeqNo.Lt(_myAru, aru) || _myId == aruAddr || aruAddr.Value == 0)
        {
            aru = _myAru;
            aruAddr = aru == seq ? default : _myId;
        }
        if (aru == lastAru && aruAddr.Value != 0) _myAruCount++;
        else _myAruCount = 0;

        // As in corosync (not the paper): a node that keeps holding the aru back marks itself failed.
        if (_myAruCount > _timeouts.FailReceiveConst && aruAddr == _myId)
        {
            Log(SrpLogLevel.Error, "FAILED TO RECEIVE");
            _stats.FailedToReceive++;
            Tell(new FailedToReceiveReport());
            return;
        }

        _myTokenSeq = token.TokenSeq;
        var retransFlg = token.RetransFlg;
        if (State == SrpState.Recovery)
            retransFlg = RecoveryTokenStep(retransFlg, seq, aru);

        var next = new OrfToken(_myId, _ring.RingId, seq, unchecked(token.TokenSeq + 1), aru, aruAddr, backlog, fcc,
            retransFlg, rtr.ToValueList());
        TokenSend(next, forwardToken);

        if (State == SrpState.Operational)
            MessagesDeliverToApp(skip: false, _myHighSeqReceived, _safeAru);

        ResetTokenTimeout();
        ResetTokenRetransmitTimeout();
        if (IAmRep && _myTokenHeld)
            StartTimer(SrpTimer.TokenHold, _timeouts.Hold);
    }

    private void RecordTokenReceived()
    {
        if (_lastTokenRxMs >= 0)
        {
            var rotation = _now - _lastTokenRxMs;
            _stats.TokenRotationLastMs = rotation;
            _rotationSamples.Enqueue(rotation);
            _rotationSampleSum += rotation;
            if (_rotationSamples.Count > RotationSamples) _rotationSampleSum -= _rotationSamples.Dequeue();
        }
        _lastTokenRxMs = _now;
    }

    private void TokenSend(TotemMessage token, bool forward)
    {
        _retransmitToken = token;
        if (!forward) return;
        _stats.OrfTokenTx++;
        Unicast(token, _ring.TokenTarget);
    }

    private void TokenRetransmit()
    {
        if (_retransmitToken is null) return;
        _stats.OrfTokenTx++;
        Unicast(_retransmitToken, _ring.TokenTarget);
    }

    /// <summary>In COMMIT this retransmits the commit token Membership handed over with <see cref="EnterCommit"/>.</summary>
    private void TokenRetransmitTimeout()
    {
        if (State == SrpState.Gather) return;
        TokenRetransmit();
        ResetTokenRetransmitTimeout();
    }

    private void OrfTokenWarning()
    {
        if (_timeouts.TokenWarningPercent == 0) return;
        var elapsed = _lastTokenRxMs < 0 ? _now : _now - _lastTokenRxMs;
        Log(SrpLogLevel.Notice, "Token has not been received in {ElapsedMs} ms", elapsed);
        StartTimer(SrpTimer.TokenWarning, TokenWarningDelay);
    }

    private void Submit(SubmitMessage submit)
    {
        // As totemsrp_mcast: a service's message submitted while the ring waits for its sync goes to the trans
        // queue. The application's never do (corosync's main.c refuses them during sync; we keep them queued).
        var queue = submit.Lane == SubmitLane.Service && _waitingTransAck ? _newMessagesTrans : _newMessages;
        if (submit.Payload.Count > PgLimits.MaxMessageBytes)
        {
            _stats.MessagesRejected++;
            var reason = $"message of {submit.Payload.Count} bytes is above the limit of {PgLimits.MaxMessageBytes} bytes";
            Log(SrpLogLevel.Debug, "Refused a submitted {Reason}", reason);
            _out.Add(new SubmitRejected(submit.Payload, reason));
            return;
        }
        if (queue.Count >= _options.MaxPendingMessages || queue.PendingBytes + submit.Payload.Count > _options.MaxPendingBytes)
        {
            _stats.MessagesRejected++;
            Log(SrpLogLevel.Debug, "queue full");
            _out.Add(new SubmitRejected(submit.Payload, "queue full"));
            return;
        }
        queue.Enqueue(submit.Payload, submit.Guarantee);
        _stats.McastTx++;
        TokenHoldCancelSend();
    }

    /// <summary>
    /// totemsrp_trans_ack: the services synchronized the installed ring, application messages flow again. An ack
    /// of another ring comes from a sync that a newer membership overtook and changes nothing.
    /// </summary>
    private void OnTransAck(TransAck ack)
    {
        if (ack.Ring != _ring.RingId || State != SrpState.Operational || !_waitingTransAck) return;
        _waitingTransAck = false;
        Log(SrpLogLevel.Debug, "waiting_trans_ack changed to {WaitingTransAck}", 0);
        if (_newMessages.Count > 0) TokenHoldCancelSend();
    }

    private void TokenHoldCancelSend()
    {
        if (!_myTokenHeld) return;
        _myTokenHeld = false;
        _stats.TokenHoldCancelTx++;
        Multicast(new TokenHoldCancel(_myId, _ring.RingId));
    }

    private void OnTokenHoldCancel(TokenHoldCancel cancel)
    {
        if (cancel.RingId != _ring.RingId) return;
        _mySeqUnchanged = 0;
        if (IAmRep) TokenRetransmitTimeout();
    }

    // ---- merge detection (the timer and the probe; Membership acts on what comes back) ----

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
            Multicast(new MergeDetect(_myId, _ring.RingId));
        }
    }

    // ---- flow control (fcc_calculate, fcc_rtr_limit) ----

    private uint FccCalculate(OrfToken token)
    {
        var allowed = _timeouts.MaxMessages;
        var window = _timeouts.WindowSize;
        var room = token.Fcc >= window ? 0u : window - token.Fcc;
        if (allowed > room) allowed = room;

        _myCbl = BacklogGet();
        var denominator = unchecked(token.Backlog + _myCbl - _myPbl);
        if (denominator != 0)
        {
            var backlogCalc = (uint)((ulong)window * _myPbl / denominator);
            if (backlogCalc > 0 && allowed > backlogCalc) allowed = backlogCalc;
        }
        return allowed;
    }

    private uint BacklogGet()
    {
        uint backlog = State switch
        {
            // Frames, as corosync counts its queue of packed multicasts.
            SrpState.Operational => (uint)(FramesPending(_newMessagesTrans) + (_waitingTransAck ? 0 : FramesPending(_newMessages))),
            SrpState.Recovery => (uint)_retransMessages.Count,
            _ => 0,
        };
        _backlogSamples.Enqueue(backlog);
        _backlogSampleSum += backlog;
        if (_backlogSamples.Count > RotationSamples) _backlogSampleSum -= _backlogSamples.Dequeue();
        return backlog;
    }

    private static long FramesPending(Packer packer) =>
        (packer.PendingBytes + (long)packer.Count * PgLimits.PieceOverhead + packer.FrameBudget - 1) / packer.FrameBudget;

    /// <summary>Never let the sort queue overflow: stop sending when the ring runs too far ahead of what is released.</summary>
    private void FccRtrLimit(uint tokenSeq, ref uint transmitsAllowed)
    {
        var limit = unchecked(ActiveQueue.LastReleased + (uint)SortQueue.Capacity - transmitsAllowed - _timeouts.WindowSize);
        if (SeqNo.Lt(limit, tokenSeq)) transmitsAllowed = 0;
    }

    // ---- multicast and retransmission (orf_token_mcast, orf_token_rtr) ----

    private uint OrfTokenMcast(ref uint seq, uint allowed)
    {
        var queue = ActiveQueue;
        var recovering = State == SrpState.Recovery;
        if (recovering) ResetTokenRetransmitTimeout();

        uint sent = 0;
        for (; sent < allowed; sent++)
        {
            McastMessage message;
            if (recovering)
            {
                if (_retransMessages.Count == 0) break;
                var old = _retransMessages.Dequeue();
                seq = unchecked(seq + 1);
                message = new McastMessage(_myId, _ring.RingId, seq, _myId, DeliveryGuarantee.Agreed, PgFrame.Empty, old);
            }
            else
            {
                // The trans queue drains first, also after the ack, so a service's messages keep their order.
                PgFrame frame;
                DeliveryGuarantee guarantee;
                if (_newMessagesTrans.TryNextFrame(out frame, out guarantee)) { }
                else if (_waitingTransAck || !_newMessages.TryNextFrame(out frame, out guarantee)) break;
                seq = unchecked(seq + 1);
                message = new McastMessage(_myId, _ring.RingId, seq, _myId, guarantee, frame, null);
            }
            queue.Add(seq, message);
            Multicast(message);
            _myHighSeqReceived = seq;
        }
        UpdateAru();
        return sent;
    }

    private uint OrfTokenRtr(uint tokenSeq, List<uint> rtr, ref uint transmitsAllowed)
    {
        var queue = ActiveQueue;
        if (rtr.Count > 0)
            Log(SrpLogLevel.Notice, "Retransmit List: {Seqs}",
                string.Join(" ", rtr.Select(s => s.ToString("x", CultureInfo.InvariantCulture))));

        // Answer what others miss and we have; what we answered leaves the list.
        uint remcast = 0;
        var i = 0;
        while (remcast < transmitsAllowed && i < rtr.Count)
        {
            if (queue.InRange(rtr[i]) && queue.TryGet(rtr[i], out var message))
            {
                Multicast(message with { Sender = _myId });
                rtr.RemoveAt(i);
                _stats.McastRetx++;
                remcast++;
            }
            else
            {
                i++;
            }
        }
        transmitsAllowed -= remcast;

        // Ask for what we miss, once it has been missing for miss_count_const visits (late mcasts get a chance).
        var range = SeqNo.Distance(_myAru, tokenSeq);
        for (var k = 1; rtr.Count < RetransmitEntriesMax && k <= range; k++)
        {
            var seq = unchecked(_myAru + (uint)k);
            if (!queue.InRange(seq)) break;
            if (queue.Has(seq)) continue;
            if (queue.IncrementMissCount(seq) < _timeouts.MissCountConst) continue;
            if (!rtr.Contains(seq))
            {
                rtr.Add(seq);
                _stats.RetransmitRequests++;
            }
        }
        return remcast;
    }

    private void UpdateAru()
    {
        var queue = ActiveQueue;
        var range = SeqNo.Distance(_myAru, _myHighSeqReceived);
        var start = _myAru;
        var advanced = 0;
        for (var i = 1; i <= range; i++)
        {
            if (!queue.Has(unchecked(start + (uint)i))) break;
            advanced = i;
        }
        _myAru = unchecked(start + (uint)advanced);
    }

    /// <summary>Release what every member has (the lower of the token's aru on this and the previous visit) and we delivered.</summary>
    private void MessagesFree(uint tokenAru)
    {
        var releaseTo = tokenAru;
        if (SeqNo.Lt(_myLastAru, releaseTo)) releaseTo = _myLastAru;
        if (SeqNo.Lt(_myHighDelivered, releaseTo)) releaseTo = _myHighDelivered;
        if (SeqNo.Lt(releaseTo, _regular.LastReleased)) return;
        _regular.ReleaseUpTo(releaseTo);
    }

    private void OnMcast(McastMessage mcast)
    {
        var queue = mcast.Encapsulated is null ? _regular : _recovery;

        if (mcast.RingId != _ring.RingId)
        {
            // Membership decides: in OPERATIONAL or GATHER its source is merged with; otherwise it is dropped.
            Tell(new ForeignRingReport(mcast.Source));
            return;
        }

        if (queue.InRange(mcast.Seq) && !queue.Has(mcast.Seq))
        {
            if (SeqNo.Lt(_myHighSeqReceived, mcast.Seq)) _myHighSeqReceived = mcast.Seq;
            queue.Add(mcast.Seq, mcast);
        }
        UpdateAru();
        if (State == SrpState.Operational)
            MessagesDeliverToApp(skip: false, _myHighSeqReceived, _safeAru);
    }

    /// <summary>
    /// Delivers in seq order up to <paramref name="endPoint"/>. Without skip, stop at the first gap and at a
    /// safe message not yet known to be everywhere; with skip (the transitional configuration) deliver past gaps,
    /// but only what members of the transitional configuration originated (totemsrp's my_deliver_memb filter):
    /// a message of a node that did not come along was sent after a message lost with it, and delivering it in a
    /// configuration its source is not part of would break extended virtual synchrony.
    /// </summary>
    private void MessagesDeliverToApp(bool skip, uint endPoint, uint safeUpTo)
    {
        var range = SeqNo.Distance(_myHighDelivered, endPoint);
        var start = _myHighDelivered;
        for (var i = 1; i <= range; i++)
        {
            var seq = unchecked(start + (uint)i);
            if (!_regular.InRange(seq)) break;
            var present = _regular.TryGet(seq, out var mcast);
            if (!present && !skip) break;
            if (present && !skip && mcast.Guarantee == DeliveryGuarantee.Safe && SeqNo.Gt(seq, safeUpTo)) break;
            _myHighDelivered = seq;
            if (!present) continue;
            if (skip && !_transMemb.Contains(mcast.Source))
            {
                _recoveryFiltered++;
                continue;
            }
            _assembled.Clear();
            var outcome = _assembler.Unpack(mcast.Source, mcast.Frame, _assembled);
            if (outcome == UnpackOutcome.ContinuationMismatch)
                Log(SrpLogLevel.Debug, "fragmented continuation {Continuation} of node {Source} is not equal to assembly last_frag_num: discarding its message",
                    mcast.Frame.Continuation, mcast.Source);
            else if (outcome == UnpackOutcome.Restarted)
                Log(SrpLogLevel.Debug, "node {Source} started a fragmented message over on ring {RingId}: discarding the part assembled", mcast.Source, mcast.RingId);
            foreach (var message in _assembled)
            {
                _stats.MessagesDelivered++;
                _out.Add(new Delivered(mcast.RingId, mcast.Seq, mcast.Source, mcast.Guarantee, message.Payload, message.Piece));
            }
        }
    }

    // ---- RECOVERY and the installation of the new ring ----

    private void RecoveryEnter(InstallRing install)
    {
        var commit = install.CommitTokenSent;
        Become(SrpState.Recovery);
        _onRecoveryRing = true;
        _recovery = new SortQueue(SeqnoStartMsg);
        _retransMessages.Clear();
        _ring = install.Ring;
        _retransmitToken = commit;
        _myReceivedFlg = install.ReceivedFlg;

        var lowRingAru = _oldRingStateHighSeqReceived;
        _myTokenSeq = unchecked(SeqnoStartToken - 1);

        // The transitional configuration: members of the new ring that come from my old ring.
        _transMemb = commit.Members
            .Where(m => _memb.Contains(m.Node) && m.OldRingId == _oldRingId)
            .Select(m => m.Node).OrderBy(n => n).ToList();
        foreach (var member in commit.Members)
            Log(SrpLogLevel.Debug, "position member {NodeId}: previous ringid ({OldRingId}) aru {Aru:x} high delivered {HighDelivered:x} received flag {ReceivedFlg}",
                member.Node, member.OldRingId, member.Aru, member.HighDelivered, member.ReceivedFlg ? 1 : 0);

        // What any of us already delivered in the old regular configuration, all of us deliver there too
        // (corosync carries high_delivered in the commit token for this but no longer uses it).
        _myHighRingDelivered = _myHighDelivered;
        foreach (var member in commit.Members)
            if (_transMemb.Contains(member.Node) && member.OldRingId == _oldRingId && SeqNo.Lt(_myHighRingDelivered, member.HighDelivered))
                _myHighRingDelivered = member.HighDelivered;

        var everyoneHasAll = !commit.Members.Any(m => _transMemb.Contains(m.Node) && !m.ReceivedFlg);
        var originated = 0;
        if (!everyoneHasAll)
        {
            foreach (var member in commit.Members)
                if (_transMemb.Contains(member.Node) && member.OldRingId == _oldRingId && SeqNo.Lt(member.Aru, lowRingAru))
                    lowRingAru = member.Aru;

            // Offer every old-ring message above the lowest aru of the transitional members.
            var range = SeqNo.Distance(lowRingAru, _oldRingStateHighSeqReceived);
            if (range > 0)
                Log(SrpLogLevel.Debug, "copying all old ring messages from {From:x}-{To:x}.", unchecked(lowRingAru + 1), _oldRingStateHighSeqReceived);
            for (var i = 1; i <= range; i++)
            {
                if (!_regular.TryGet(unchecked(lowRingAru + (uint)i), out var old)) continue;
                _retransMessages.Enqueue(old);
                originated++;
            }
        }
        if (originated > 0) Log(SrpLogLevel.Debug, "Originated {Count} messages in RECOVERY.", originated);
        else Log(SrpLogLevel.Debug, "Did not need to originate any messages in recovery.");

        _myAru = SeqnoStartMsg;
        _myAruCount = 0;
        _mySeqUnchanged = 0;
        _myHighSeqReceived = SeqnoStartMsg;
        _myInstallSeq = SeqnoStartMsg;
        _myRetransFlgCount = 0;
        _myRotationCounter = 0;

        ResetTokenTimeout();
        ResetTokenRetransmitTimeout();
    }

    private void OrfTokenSendInitial()
    {
        var retrans = _retransMessages.Count > 0;
        _mySetRetransFlg = retrans;
        var token = new OrfToken(_myId, _ring.RingId, SeqnoStartMsg, SeqnoStartToken, unchecked(SeqnoStartMsg - 1), _myId,
            0, 0, retrans, ValueList<uint>.Empty);
        TokenSend(token, forward: true);
    }

    /// <summary>
    /// The RECOVERY part of a token visit: the retransmission flag says someone still re-multicasts old
    /// messages; two quiet rotations fix the install seq, and two more with it under the token's aru install the ring.
    /// Returns the flag to put in the outgoing token.
    /// </summary>
    private bool RecoveryTokenStep(bool retransFlg, uint tokenSeq, uint tokenAru)
    {
        if (_retransMessages.Count > 0)
        {
            if (!retransFlg)
            {
                retransFlg = true;
                _mySetRetransFlg = true;
            }
        }
        else if (retransFlg && _mySetRetransFlg)
        {
            retransFlg = false;
            _mySetRetransFlg = false;
        }

        _myRetransFlgCount = retransFlg ? 0 : _myRetransFlgCount + 1;
        if (_myRetransFlgCount == 2) _myInstallSeq = tokenSeq;
        if (_myRetransFlgCount >= 2 && !_myReceivedFlg && SeqNo.Lte(_myInstallSeq, _myAru))
            _myReceivedFlg = true;

        if (_myRetransFlgCount >= 3 && SeqNo.Lte(_myInstallSeq, tokenAru)) _myRotationCounter++;
        else _myRotationCounter = 0;

        if (_myRotationCounter == 2)
        {
            Log(SrpLogLevel.Debug, "retrans flag count {Count:x} token aru {TokenAru:x} install seq {InstallSeq:x} aru {Aru:x} {Seq:x}",
                _myRetransFlgCount, tokenAru, _myInstallSeq, _myAru, tokenSeq);
            OperationalEnter();
            _myRotationCounter = 0;
            _myRetransFlgCount = 0;
        }
        return retransFlg;
    }

    /// <summary>
    /// Installs the new ring: old-ring messages recovered in RECOVERY go back to their old seqs; what can be
    /// delivered in order is delivered in the old configuration, then the transitional configuration, the rest
    /// of the old messages (past unrecoverable gaps), and the new regular configuration. Membership logs the
    /// new membership and enters OPERATIONAL on <see cref="InstalledReport"/>.
    /// </summary>
    private void OperationalEnter()
    {
        _originatedOrfToken = false;
        _oldRingStateSaved = false;

        for (var i = 1; i <= SeqNo.Distance(SeqnoStartMsg, _myAru); i++)
        {
            if (!_recovery.TryGet(unchecked(SeqnoStartMsg + (uint)i), out var carrier)) continue;
            var old = carrier.Encapsulated;
            if (old is null || old.RingId != _oldRingId) continue;
            if (_regular.InRange(old.Seq) && !_regular.Has(old.Seq))
            {
                _regular.Add(old.Seq, old);
                if (SeqNo.Lt(_oldRingStateHighSeqReceived, old.Seq)) _oldRingStateHighSeqReceived = old.Seq;
            }
        }

        var aruSave = _myAru;
        _myAru = _oldRingStateAru;
        // In the old configuration: in order up to the first gap, and safe messages only as far as some
        // member of the transitional configuration had delivered; the same cut on every member.
        MessagesDeliverToApp(skip: false, _oldRingStateHighSeqReceived, _myHighRingDelivered);

        var newMemb = _ring.Members;
        var leftMemb = Subtract(_memb, _transMemb);
        var joined = Subtract(newMemb, _transMemb);
        _memb = newMemb.OrderBy(n => n).ToList();
        _mySetRetransFlg = false;

        _out.Add(new ConfigurationChanged(ConfigurationKind.Transitional, _ring.RingId, Sorted(_transMemb),
            ValueList<NodeId>.Empty, Sorted(leftMemb)));
        // totempg's app_confchg_fn: what is held of the messages of processors that left is freed; a sender who
        // stays goes on with its message.
        _assembler.Forget(leftMemb);
        // From the transitional configuration on, the new ring carries only the services' synchronization until it
        // is acknowledged (TransAck).
        if (!_waitingTransAck) Log(SrpLogLevel.Debug, "waiting_trans_ack changed to {WaitingTransAck}", 1);
        _waitingTransAck = true;
        _recoveryFiltered = 0;
        MessagesDeliverToApp(skip: true, _oldRingStateHighSeqReceived, _oldRingStateHighSeqReceived);
        if (_recoveryFiltered > 0)
            Log(SrpLogLevel.Debug, "Did not deliver {Count} old ring messages of nodes outside the transitional configuration.", _recoveryFiltered);
        _myAru = aruSave;
        _out.Add(new ConfigurationChanged(ConfigurationKind.Regular, _ring.RingId, Sorted(_memb),
            Sorted(joined), ValueList<NodeId>.Empty));
        if (joined.Count > 0)
        {
            // The new members never saw the first fragments of a message this node is in the middle of: it starts
            // over, so that every member of the ring it is delivered in delivers it (corosync continues it and the
            // newcomers throw it away). The members who stay drop the part they hold when the restart arrives.
            _assembler.Forget(joined);
            var rewound = _newMessages.Restart() | _newMessagesTrans.Restart();
            if (rewound) Log(SrpLogLevel.Debug, "Restarting a fragmented message on ring {RingId}: node(s) {Joined} joined", _ring.RingId, Sorted(joined));
        }

        // The recovery queue becomes the new ring's queue; its (encapsulated) messages are never delivered again.
        _regular = _recovery;
        _recovery = new SortQueue(SeqnoStartMsg);
        _myLastAru = SeqnoStartMsg;

        var highDelivered = _myHighSeqReceived;
        while (highDelivered != SeqnoStartMsg && !_regular.Has(highDelivered)) highDelivered--;
        _myHighDelivered = highDelivered;
        _regular.ReleaseUpTo(highDelivered);
        _safeAru = highDelivered;

        Become(SrpState.Operational);
        _onRecoveryRing = false;
        Tell(new InstalledReport(_ring, _memb.ToValueList(), joined.ToValueList(), leftMemb.ToValueList()));
        _myReceivedFlg = true;
        _oldRingId = _ring.RingId;
    }
}
