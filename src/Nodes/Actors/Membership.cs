using Akka.Actor;
using Serilog;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Services;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>
/// Membership: GATHER and COMMIT (<see cref="MembershipEngine"/>): joins, leaves, commit tokens and merge probes
/// from the adapter, the node's leave, the representative role, and the timers it owns as keyed Akka timers (join,
/// consensus). It owns the node's state, ring id and installed members on the board.
/// <para>
/// The handshake with <see cref="TokenHolder"/> is asynchronous. Everything one engine step asks of TokenHolder
/// (commands, and the starts and stops of TokenHolder's timers that the membership protocol arms) goes as one
/// <see cref="MembershipBatch"/>, in the engine's order. How the protocol's semantics survive the delay:
/// </para>
/// <list type="bullet">
/// <item>It answers only after the report arrives: from sending a batch until TokenHolder's answer to it, every
/// other input (the network, its timers, the leave) is held, and handled in arrival order once the answer is in;
/// only TokenHolder's reports are handled at once (a held timer expiry whose timer a report's step re-armed or
/// stopped is dropped, as Akka drops one still in the mailbox). So each input finds TokenHolder's reaction to the previous one
/// already in (the composed engine's guarantee): a commit token is written with the ring position TokenHolder
/// reported on suspending the ring (high delivered no longer moves), never an older one.</item>
/// <item>A token loss TokenHolder reported before it processed a batch that re-arms or cancels its token loss timer
/// (SuspendRing, EnterCommit, InstallRing, a start or stop of that timer) is dropped: handled in one step, the
/// command would have replaced that timer's arming and the expiry would never have come. (Dropping it is the order
/// "the command first", which TokenHolder, suspended at the loss, is consistent with.)</item>
/// <item>Every other report is handled in the state it finds: a ring position, a peer's ring seq, a foreign ring
/// and a failure to receive are facts about the network, as if the datagram behind them came now; an installed
/// ring found in GATHER (a new member's join came between) is adopted there
/// (<c>MembershipEngine.OnInstalledWhileGathering</c>).</item>
/// </list>
/// <para>
/// Its own joins and commit tokens to itself (corosync's loopback) are handled after the current input and its
/// answer, before any held input, as the composed engine did.
/// </para>
/// </summary>
public sealed class Membership : UntypedActor, IWithTimers
{
    private readonly MembershipEngine _engine;
    private readonly NodeBoard _board;
    private readonly IActorRef _adapter;
    private readonly IActorRef _tokenHolder;
    private readonly RingHooks _hooks;
    private readonly ILogger _log;
    private readonly RingIncarnation _incarnation = new();
    private readonly List<SrpOutput> _outputs = new();
    private readonly List<object> _batch = new();
    private readonly Queue<TotemMessage> _loopback = new();
    private readonly Queue<(object Message, IActorRef Sender)> _held = new();
    // How often each of its timers was started or stopped: an expiry held while an answer was due is stale if its
    // timer was re-armed or stopped meanwhile (Akka drops such an expiry only while it is still in the mailbox).
    private readonly int[] _armings = new int[Enum.GetValues<SrpTimer>().Length];
    private RetransmitTimer _timers = null!;
    private int _sent;
    private int _answered;
    private int _lastTokenLossTouch;
    private bool _batchTouchesTokenLoss;
    // After a pause: every datagram already queued before the flush marker (Self.Tell) is dropped unprocessed.
    private bool _flushing;
    private int _flushed;
    // send_join: a join waits its random delay here, and what the engine sends after it waits behind it (corosync's
    // usleep holds the whole process), so the wire sees Membership's messages in the engine's order.
    private uint _sendJoinMs;
    private readonly Queue<SendTotemMessage> _delayedSends = new();

    /// <param name="optionsNow">Evaluated by each incarnation: a restarted ring starts above the ring seqs seen so far.</param>
    public Membership(Func<SrpOptions> optionsNow, NodeBoard board, IActorRef adapter, IActorRef tokenHolder, RingHooks hooks, ILogger log)
    {
        var options = optionsNow();
        _engine = new MembershipEngine(options);
        _sendJoinMs = options.Timeouts.SendJoin;
        _board = board;
        _adapter = adapter;
        _tokenHolder = tokenHolder;
        _hooks = hooks;
        _log = log.ForContext(LogSubsystem.Property, LogSubsystem.Totem);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Func<SrpOptions> optionsNow, NodeBoard board, IActorRef adapter, IActorRef tokenHolder, RingHooks hooks, ILogger log) =>
        Akka.Actor.Props.Create<Membership>(optionsNow, board, adapter, tokenHolder, hooks, log);

    private long NowMs => Context.System.Scheduler.Now.ToUnixTimeMilliseconds();

    /// <summary>TokenHolder has not yet answered the last batch.</summary>
    private bool AwaitingAnswer => _answered < _sent;

    protected override void PreStart()
    {
        _timers = new RetransmitTimer(Timers);
        _outputs.Clear();
        _engine.Start(NowMs, _outputs);
        Apply();
        Flush();
        Publish();
    }

    protected override void OnReceive(object message)
    {
        if (message is TokenHolderReports reports)
            OnReports(reports);
        else if (message is SendJoinDue)
            SendDelayed();
        else if (message is PauseFlushEnd)
            EndFlush();
        else if (_flushing && message is MessageReceived)
            _flushed++;
        else if (AwaitingAnswer)
            _held.Enqueue((message is RingTimerExpired expired ? new HeldExpiry(expired.Timer, _armings[(int)expired.Timer]) : message, Sender));
        else
            Handle(message, Sender);
        Release();
    }

    private void Handle(object message, IActorRef sender)
    {
        switch (message)
        {
            case MessageReceived received:
                Step(received);
                break;
            case RingTimerExpired { Timer: SrpTimer.Downcheck }:
                break; // totemnet's interface check: nothing for the ring to do.
            case RingTimerExpired expired:
                Step(new TimerExpired(expired.Timer));
                break;
            case HeldExpiry held:
                if (held.Arming == _armings[(int)held.Timer]) Step(new TimerExpired(held.Timer));
                break;
            case TimeoutsReloaded reloaded:
                _sendJoinMs = reloaded.Timeouts.SendJoin;
                Step(new ApplyTimeouts(reloaded.Timeouts));
                break;
            case LeaveRingCommand:
                // The node is going: a join still waiting out send_join goes now, so the leave is not stuck behind it.
                Timers.Cancel(SendJoinDue.Instance);
                SendDelayed();
                _outputs.Clear();
                _engine.Handle(new LeaveRing(), NowMs, _outputs);
                Apply();
                // TokenHolder goes quiet with it: the composed engine ignored everything after the leave.
                _batch.Add(RingLeft.Instance);
                Flush();
                Publish();
                sender.Tell(new LeaveSent());
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnReports(TokenHolderReports reports)
    {
        if (!ReferenceEquals(reports.Incarnation, _incarnation)) return; // a TokenHolder report from before a restart of the pair
        if (reports.Seen > _answered) _answered = reports.Seen;
        foreach (var report in reports.Reports)
        {
            if (report is TokenLostReport && reports.Seen < _lastTokenLossTouch) continue;
            Step(report);
        }
    }

    /// <summary>Handles what the last input left (its loopback first, then the held inputs) while no answer is due.</summary>
    private void Release()
    {
        while (!AwaitingAnswer)
        {
            if (_loopback.Count > 0)
            {
                Step(new MessageReceived(_loopback.Dequeue()));
            }
            else if (_held.Count > 0)
            {
                var (message, sender) = _held.Dequeue();
                Handle(message, sender);
            }
            else
            {
                return;
            }
        }
    }

    private void Step(SrpInput input)
    {
        _outputs.Clear();
        _engine.Handle(input, NowMs, _outputs);
        Apply();
        Flush();
        Publish();
    }

    private void Apply()
    {
        foreach (var output in _outputs)
        {
            _hooks.ProtocolOutput?.Invoke(output);
            switch (output)
            {
                case TellTokenHolder tell:
                    _batch.Add(tell.Command);
                    if (tell.Command is SuspendRing or EnterCommit or InstallRing) _batchTouchesTokenLoss = true;
                    break;
                case StartTimer start when IsMine(start.Timer):
                    _timers.TryApply(start);
                    _armings[(int)start.Timer]++;
                    break;
                case StopTimer stop when IsMine(stop.Timer):
                    _timers.TryApply(stop);
                    _armings[(int)stop.Timer]++;
                    break;
                case StartTimer start:
                    _batch.Add(start);
                    if (start.Timer == SrpTimer.TokenLoss) _batchTouchesTokenLoss = true;
                    break;
                case StopTimer stop:
                    _batch.Add(stop);
                    if (stop.Timer == SrpTimer.TokenLoss) _batchTouchesTokenLoss = true;
                    break;
                case SendMessage send:
                    Send(new SendTotemMessage(send.Message, send.Destination));
                    break;
                case SelfDelivery self:
                    if (RingHalves.IsMemberships(self.Message)) _loopback.Enqueue(self.Message);
                    else _tokenHolder.Tell(new MessageReceived(self.Message));
                    break;
                case RingSeqObserved observed:
                    _board.ObserveRingSeq(observed.RingSeq);
                    _hooks.PersistRingSeq?.Invoke(observed.RingSeq);
                    break;
                case SrpLog log:
                    _log.Write(TokenHolder.LevelOf(log.Level), log.Template, log.Args);
                    break;
                case FlushMembershipMessages:
                    BeginFlush();
                    break;
            }
        }
    }

    private void Send(SendTotemMessage send)
    {
        if (_delayedSends.Count > 0)
        {
            _delayedSends.Enqueue(send);
            return;
        }
        if (_sendJoinMs > 0 && send.Message is JoinMessage)
        {
            var delay = SendJoinDelay.Of(_sendJoinMs, _hooks.NextRandom());
            if (delay > TimeSpan.Zero)
            {
                _delayedSends.Enqueue(send);
                Timers.StartSingleTimer(SendJoinDue.Instance, SendJoinDue.Instance, delay);
                return;
            }
        }
        _adapter.Tell(send);
    }

    private void SendDelayed()
    {
        while (_delayedSends.TryDequeue(out var send)) _adapter.Tell(send);
    }

    /// <summary>
    /// corosync's pause_flush empties the socket: here the queue is this mailbox, so everything that came in before the
    /// marker it sends itself (and every datagram held for TokenHolder's answer) was queued during the pause.
    /// </summary>
    private void BeginFlush()
    {
        var held = _held.Count;
        for (var i = 0; i < held; i++)
        {
            var entry = _held.Dequeue();
            if (entry.Message is MessageReceived) _flushed++;
            else _held.Enqueue(entry);
        }
        if (_flushing) return;
        _flushing = true;
        Self.Tell(PauseFlushEnd.Instance);
    }

    private void EndFlush()
    {
        _flushing = false;
        _log.Debug("Flushed {Count} membership messages queued during the pause", _flushed);
        _flushed = 0;
    }

    /// <summary>Membership's own timers; the token's (loss, warning, retransmit, hold, merge) are TokenHolder's.</summary>
    private static bool IsMine(SrpTimer timer) => timer is SrpTimer.Join or SrpTimer.Consensus or SrpTimer.Downcheck or SrpTimer.Pause;

    private void Flush()
    {
        if (_batch.Count == 0) return;
        _sent++;
        if (_batchTouchesTokenLoss) _lastTokenLossTouch = _sent;
        _batchTouchesTokenLoss = false;
        _tokenHolder.Tell(new MembershipBatch(_incarnation, _sent, _batch.ToArray()));
        _batch.Clear();
    }

    private void Publish() => _board.PublishMembership(_engine.State, _engine.RingId, _engine.Members, _engine.Stats);

    /// <summary>send_join's delay is over: the join and what queued behind it go out.</summary>
    private sealed record SendJoinDue
    {
        public static readonly SendJoinDue Instance = new();
    }

    /// <summary>The end of the datagrams queued during a pause (see <see cref="BeginFlush"/>).</summary>
    private sealed record PauseFlushEnd
    {
        public static readonly PauseFlushEnd Instance = new();
    }

    /// <summary>An expiry of one of its timers that came while an answer was due, with the arming it belonged to.</summary>
    private sealed record HeldExpiry(SrpTimer Timer, int Arming);
}
