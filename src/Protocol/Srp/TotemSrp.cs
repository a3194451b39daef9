using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Srp;

/// <summary>
/// The Totem Single-Ring Protocol of one processor (corosync's exec/totemsrp.c) as a pure, deterministic
/// state machine: every input comes in through <see cref="Start"/> and <see cref="Handle(SrpInput, long)"/>
/// with the current time, and every effect goes out as an <see cref="SrpOutput"/>. It reads no clock,
/// owns no socket and no timer.
/// <para>
/// Sends: <see cref="SendMessage.Destination"/> null means every peer except this node (udpu style);
/// the engine never asks to send to itself: what corosync receives through loopback (its own joins, its
/// token on a singleton ring) it feeds back to itself before the call returns.
/// </para>
/// </summary>
public sealed partial class TotemSrp
{
    private const uint SeqnoStartMsg = 0;
    private const uint SeqnoStartToken = 0;
    private const int RetransmitEntriesMax = 30;
    private const int RotationSamples = 100;

    private readonly SrpOptions _options;
    private readonly TotemTimeouts _timeouts;
    private readonly NodeId _myId;
    private readonly Queue<TotemMessage> _loopback = new();

    private List<SrpOutput> _out = new();
    private long _now;
    private bool _started;
    private bool _left;

    // Ring identity and membership (my_ring_id, my_old_ring_id, my_memb_list, my_new_memb_list, ...).
    private RingId _ringId;
    private RingId _oldRingId;
    private ulong _tokenRingIdSeq;
    private List<NodeId> _memb = new();
    private List<NodeId> _newMemb = new();
    private List<NodeId> _transMemb = new();
    private List<NodeId> _leftMemb = new();
    private readonly List<NodeId> _proc = new();
    private readonly List<NodeId> _failed = new();
    private readonly HashSet<NodeId> _consensus = new();
    // Processors that agreed with us in this gather and whose latest join (its failed set kept here) fails more
    // than we do: alive, one consensus timeout ahead of us. Not failed at our consensus timeout, whose verdicts on
    // processors outside our old ring we take over then (ConsensusTimeoutExpired).
    private readonly Dictionary<NodeId, ValueList<NodeId>> _movedOn = new();
    private readonly HashSet<NodeId> _leaveMemb = new();
    private readonly Dictionary<NodeId, ulong> _peerRingSeq = new();
    private NodeId _tokenTarget;
    private CommitToken? _commitToken;
    private bool _failedToRecv;

    // The token and what it carries for this node.
    private uint _myTokenSeq = unchecked(SeqnoStartToken - 1);
    private uint _myLastSeq;
    private int _mySeqUnchanged;
    private bool _myTokenHeld;
    private uint _myLastAru;
    private int _myAruCount;
    private uint _safeAru;
    private TotemMessage? _retransmitToken;
    private bool _orfTokenDiscard;
    private bool _originatedOrfToken;
    private bool _mergeDetectOutstanding;
    private uint _myTrc;
    private uint _myPbl;
    private uint _myCbl;

    // The ordered log (my_aru, my_high_seq_received, my_high_delivered, the sort queues, the send queues).
    private uint _myAru = SeqnoStartMsg;
    private uint _myHighSeqReceived = SeqnoStartMsg;
    private uint _myHighDelivered = SeqnoStartMsg;
    private SortQueue _regular = new(unchecked(SeqnoStartMsg - 1));
    private SortQueue _recovery = new(SeqnoStartMsg);
    private readonly Queue<SubmitMessage> _newMessages = new();
    private readonly Queue<McastMessage> _retransMessages = new();

    // Recovery bookkeeping.
    private bool _oldRingStateSaved;
    private uint _oldRingStateAru;
    private uint _oldRingStateHighSeqReceived;
    private bool _myReceivedFlg = true;
    private bool _mySetRetransFlg;
    private int _myRetransFlgCount;
    private int _myRotationCounter;
    private uint _myInstallSeq;
    private uint _myHighRingDelivered;

    // Statistics.
    private Stats _stats;
    private long _lastTokenRxMs = -1;
    private readonly Queue<long> _rotationSamples = new();
    private long _rotationSampleSum;
    private readonly Queue<uint> _backlogSamples = new();
    private long _backlogSampleSum;

    public TotemSrp(SrpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _timeouts = options.Timeouts;
        _myId = options.LocalNode;
        _ringId = new RingId(_myId, options.InitialRingSeq);
        _oldRingId = default;
    }

    public NodeId LocalNode => _myId;
    public SrpState State { get; private set; } = SrpState.Operational;
    public RingId RingId => _ringId;
    /// <summary>The installed regular configuration (empty until the first ring forms).</summary>
    public IReadOnlyList<NodeId> Members => _memb;
    public uint MyAru => _myAru;
    public uint HighDelivered => _myHighDelivered;
    /// <summary>The highest seq this node has received on the current ring.</summary>
    public uint HighSeqReceived => _myHighSeqReceived;
    /// <summary>Submitted messages still waiting for the token.</summary>
    public int PendingMessages => _newMessages.Count;
    /// <summary>True once <see cref="LeaveRing"/> was handled: the engine ignores everything after it.</summary>
    public bool HasLeft => _left;

    public SrpCounters Counters => new(
        _stats.OrfTokenTx, _stats.OrfTokenRx, _stats.MembMergeDetectTx, _stats.MembMergeDetectRx,
        _stats.MembJoinTx, _stats.MembJoinRx, _stats.McastTx, _stats.McastRetx, _stats.McastRx,
        _stats.MembCommitTokenTx, _stats.MembCommitTokenRx, _stats.TokenHoldCancelTx, _stats.TokenHoldCancelRx,
        _stats.OperationalEntered, _stats.OperationalTokenLost, _stats.GatherEntered, _stats.GatherTokenLost,
        _stats.CommitEntered, _stats.CommitTokenLost, _stats.RecoveryEntered, _stats.RecoveryTokenLost,
        _stats.ConsensusTimeouts, _stats.RxMsgDropped, _stats.ContinuousGather, _stats.FailedToReceive,
        _stats.RetransmitRequests, _stats.MessagesDelivered, _stats.MessagesRejected,
        _stats.TokenRotationLastMs,
        _rotationSamples.Count == 0 ? 0 : (double)_rotationSampleSum / _rotationSamples.Count,
        _backlogSamples.Count == 0 ? 0 : (double)_backlogSampleSum / _backlogSamples.Count);

    /// <summary>The node boots: like corosync it loads its ring seq, bumps it, and enters GATHER alone.</summary>
    public IReadOnlyList<SrpOutput> Start(long nowMs)
    {
        var outputs = new List<SrpOutput>();
        Start(nowMs, outputs);
        return outputs;
    }

    public void Start(long nowMs, List<SrpOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (_started) throw new InvalidOperationException("TotemSrp.Start was already called");
        _started = true;
        _out = outputs;
        _now = nowMs;
        // corosync bumps the loaded seq so a restarted representative never reuses a ring id.
        _ringId = new RingId(_myId, _options.InitialRingSeq + 1);
        _tokenRingIdSeq = _ringId.Seq;
        Log(SrpLogLevel.Debug, "Created or loaded sequence id {RingId} for this ring.", _ringId);
        GatherEnter(GatherFrom.InterfaceChange);
        DrainLoopback();
    }

    public IReadOnlyList<SrpOutput> Handle(SrpInput input, long nowMs)
    {
        var outputs = new List<SrpOutput>();
        Handle(input, nowMs, outputs);
        return outputs;
    }

    /// <summary>Handles one input, appending what the engine asks for to a caller-owned list.</summary>
    public void Handle(SrpInput input, long nowMs, List<SrpOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(outputs);
        if (!_started) throw new InvalidOperationException("TotemSrp.Start must be called before Handle");
        _out = outputs;
        _now = nowMs;
        if (_left) return;
        switch (input)
        {
            case MessageReceived received:
                Receive(received.Message);
                break;
            case TimerExpired expired:
                OnTimer(expired.Timer);
                break;
            case SubmitMessage submit:
                Submit(submit);
                break;
            case LeaveRing:
                Leave();
                break;
            default:
                throw new ArgumentException($"Unknown SRP input {input.GetType().Name}", nameof(input));
        }
        DrainLoopback();
    }

    private void DrainLoopback()
    {
        while (_loopback.Count > 0 && !_left)
            Receive(_loopback.Dequeue());
        _loopback.Clear();
    }

    private void Receive(TotemMessage message)
    {
        if (message is null || message.Sender.Value == 0)
        {
            _stats.RxMsgDropped++;
            return;
        }
        // Joins are judged against what their sender used before and then remembered, in OnJoin.
        switch (message)
        {
            case OrfToken token: NotePeerRingSeq(token.Sender, token.RingId.Seq); break;
            case McastMessage mcast: NotePeerRingSeq(mcast.Sender, mcast.RingId.Seq); break;
            case MergeDetect merge: NotePeerRingSeq(merge.Sender, merge.RingId.Seq); break;
            case CommitToken commit: NotePeerRingSeq(commit.Sender, commit.RingId.Seq); break;
        }
        switch (message)
        {
            case OrfToken token:
                _stats.OrfTokenRx++;
                OnOrfToken(token);
                break;
            case McastMessage mcast:
                _stats.McastRx++;
                OnMcast(mcast);
                break;
            case MergeDetect merge:
                _stats.MembMergeDetectRx++;
                OnMergeDetect(merge);
                break;
            case JoinMessage join:
                _stats.MembJoinRx++;
                OnJoin(join.Sender, join.RingSeq, join.ProcList, join.FailedList, isLeave: false);
                break;
            case LeaveMessage leave:
                _stats.MembJoinRx++;
                // Remembered in every state (corosync only does so while processing joins), so a leave that
                // races with the new ring's commit is not reported as a failure.
                Log(SrpLogLevel.Debug, "Received LEAVE message from {NodeId}", leave.Sender);
                _leaveMemb.Add(leave.Sender);
                OnJoin(leave.Sender, leave.RingSeq, leave.ProcList, leave.FailedList, isLeave: true);
                break;
            case CommitToken commit:
                _stats.MembCommitTokenRx++;
                OnCommitToken(commit);
                break;
            case TokenHoldCancel cancel:
                _stats.TokenHoldCancelRx++;
                OnTokenHoldCancel(cancel);
                break;
            default:
                _stats.RxMsgDropped++;
                break;
        }
    }

    private void OnTimer(SrpTimer timer)
    {
        switch (timer)
        {
            case SrpTimer.TokenLoss: OrfTokenTimeout(); break;
            case SrpTimer.TokenWarning: OrfTokenWarning(); break;
            case SrpTimer.TokenRetransmit: TokenRetransmitTimeout(); break;
            case SrpTimer.TokenHold: TokenHoldTimeout(); break;
            case SrpTimer.Join: JoinTimeout(); break;
            case SrpTimer.Consensus: ConsensusTimeoutExpired(); break;
            case SrpTimer.Merge: MergeDetectTimeout(); break;
            case SrpTimer.Downcheck: break; // totemnet's interface check: nothing for the ring to do.
            default: throw new ArgumentException($"Unknown SRP timer {timer}", nameof(timer));
        }
    }

    private void Submit(SubmitMessage submit)
    {
        if (_newMessages.Count >= _options.MaxPendingMessages)
        {
            _stats.MessagesRejected++;
            Log(SrpLogLevel.Debug, "queue full");
            _out.Add(new SubmitRejected(submit.Payload, "queue full"));
            return;
        }
        _newMessages.Enqueue(submit);
        _stats.McastTx++;
        TokenHoldCancelSend();
    }

    // ---- sending, timers, logs ----

    private void Multicast(TotemMessage message)
    {
        _out.Add(new SendMessage(message, null));
        // Our own multicasts reach us too (corosync's loopback); our mcasts are already in the sort queue.
        if (message is not McastMessage) _loopback.Enqueue(message);
    }

    private void Unicast(TotemMessage message, NodeId destination)
    {
        if (destination == _myId) _loopback.Enqueue(message);
        else _out.Add(new SendMessage(message, destination));
    }

    private void StartTimer(SrpTimer timer, uint delayMs) => _out.Add(new StartTimer(timer, delayMs));

    private void StopTimer(SrpTimer timer) => _out.Add(new StopTimer(timer));

    private void ResetTokenTimeout()
    {
        StartTimer(SrpTimer.TokenLoss, _timeouts.Token);
        if (_timeouts.TokenWarningPercent > 0)
            StartTimer(SrpTimer.TokenWarning, TokenWarningDelay);
    }

    private uint TokenWarningDelay => (uint)((ulong)_timeouts.TokenWarningPercent * _timeouts.Token / 100);

    private void CancelTokenTimeout()
    {
        StopTimer(SrpTimer.TokenLoss);
        StopTimer(SrpTimer.TokenWarning);
    }

    private void ResetTokenRetransmitTimeout() => StartTimer(SrpTimer.TokenRetransmit, _timeouts.TokenRetransmit);

    private void Log(SrpLogLevel level, string template, params object?[] args) => _out.Add(new SrpLog(level, template, args));

    private void SetState(SrpState to, string reason)
    {
        var from = State;
        State = to;
        if (from != to) _out.Add(new StateChanged(from, to, reason));
    }

    private bool IAmRep => _ringId.Representative == _myId;

    private struct Stats
    {
        public ulong OrfTokenTx, OrfTokenRx, MembMergeDetectTx, MembMergeDetectRx, MembJoinTx, MembJoinRx;
        public ulong McastTx, McastRetx, McastRx, MembCommitTokenTx, MembCommitTokenRx;
        public ulong TokenHoldCancelTx, TokenHoldCancelRx;
        public ulong OperationalEntered, OperationalTokenLost, GatherEntered, GatherTokenLost;
        public ulong CommitEntered, CommitTokenLost, RecoveryEntered, RecoveryTokenLost;
        public ulong ConsensusTimeouts, RxMsgDropped, ContinuousGather, FailedToReceive;
        public ulong RetransmitRequests, MessagesDelivered, MessagesRejected;
        public long TokenRotationLastMs;
    }
}
