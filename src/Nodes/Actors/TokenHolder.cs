using Akka.Actor;
using Serilog;
using Serilog.Events;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Services;
using Totem.Protocol.Srp;
using Totem.Protocol.Sync;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>
/// TokenHolder: the installed ring's ordered log and its token (<see cref="TokenHolderEngine"/>): tokens, multicasts
/// and token hold cancels from the adapter, submitted messages, the deliveries and configuration changes to the
/// services (votequorum is its child, as corosync's services sit above the ring), and the timers it owns as keyed
/// Akka timers (<see cref="RetransmitTimer"/>: token loss, token warning, token retransmit, hold, merge).
/// <para>
/// The handshake with <see cref="Membership"/> is asynchronous: Membership's commands arrive in
/// <see cref="MembershipBatch"/>es, in the order its engine gave them, together with the starts and stops of this
/// actor's timers that the membership protocol arms; every batch is answered with a <see cref="TokenHolderReports"/>
/// (empty if need be) whose <c>Seen</c> is that batch, and reports made while handling anything else carry the last
/// batch handled. How the protocol's semantics survive the delay between the two mailboxes:
/// </para>
/// <list type="bullet">
/// <item>Inputs are handled according to the latest command this actor has processed, never Membership's state: a
/// token that arrives after Membership entered GATHER but before its SuspendRing is handled on the installed ring,
/// as if it had arrived before the join that started the gather (which the network may always do); from the
/// SuspendRing on, tokens are dropped (DESIGN.md: "tokens that reach TokenHolder after the suspension are
/// dropped").</item>
/// <item>On a token loss it suspends the ring itself, in the same step as its report: Membership's answer to a token
/// loss in every state is GATHER (whose SuspendRing then finds the ring suspended already), and corosync drops every
/// token from the loss on. Without this a token queued behind the expiry would be handled on a ring whose loss is
/// already reported (in RECOVERY: on the old ring's restored aru, and could even install the ring).</item>
/// <item>A command that its latest state makes stale is ignored by the engine: AbandonRecovery once the recovery
/// ring is off, installed or given up at a token loss (<see cref="AbandonRecovery"/>), OriginateToken outside
/// RECOVERY (after the self-suspension at a loss).</item>
/// <item>Until Membership's first batch (its start always suspends the ring) it holds every input: it has nobody to
/// report to yet, and a fresh pair must start as one.</item>
/// </list>
/// <para>
/// A message it sends itself (its own token on a ring of one, its token hold cancels) is handled right after the
/// current input, before the next message, as the composed engine did; its merge probes go to Membership.
/// </para>
/// <para>
/// It also runs the service synchronization (<see cref="ServiceSync"/>, corosync's sync.c) in step with the
/// deliveries: a sync message is handled where the ring delivers it, so the sync completes exactly behind the last
/// barrier and before any application message after it is delivered; what the sync multicasts, and the ring's
/// acknowledgement (<see cref="TransAck"/>) that releases the application's messages, are fed to the engine right
/// after the current input (the engine is never re-entered).
/// </para>
/// </summary>
public sealed class TokenHolder : UntypedActor, IWithTimers
{
    private readonly TokenHolderEngine _engine;
    private readonly NodeBoard _board;
    private readonly IActorRef _adapter;
    private readonly Props _quorumProps;
    private readonly Props _cfgProps;
    private readonly Props? _storeProps;
    private readonly RingHooks _hooks;
    private readonly ILogger _log;
    private uint _tokenTimeoutMs;
    private readonly List<SrpOutput> _outputs = new();
    private readonly List<TokenReport> _reports = new();
    private readonly Queue<TotemMessage> _loopback = new();
    private readonly Queue<(object Message, IActorRef Sender)> _held = new();
    private readonly ServiceSync _sync;
    private readonly Queue<SrpInput> _syncInputs = new();
    private readonly Dictionary<ServiceId, IActorRef> _syncServices = new();
    private readonly ILogger _syncLog;
    private readonly ILogger _mainLog;
    private IActorRef _quorum = ActorRefs.Nobody;
    private IActorRef _cfg = ActorRefs.Nobody;
    private IActorRef _store = ActorRefs.Nobody;
    // The store's AwaitRingToken: its ring and the engine's count of tokens taken when it came.
    private (RingId Ring, ulong Taken)? _storeTokenWatch;
    private ValueList<NodeId> _leftInTransitional = ValueList<NodeId>.Empty;
    private IActorRef _membership = ActorRefs.Nobody;
    private RingIncarnation? _incarnation;
    private RetransmitTimer _timers = null!;
    private int _seen;
    private bool _suspendAfterLoss;
    private bool _left;
    private ulong _rxDropped;
    private readonly int _maxPending;
    private readonly long _maxPendingBytes;

    /// <param name="optionsNow">Evaluated by each incarnation (Props keep their arguments, so the function is the
    /// argument): a restarted ring starts above the ring seqs seen so far.</param>
    /// <param name="quorum">votequorum's Props; <paramref name="cfg"/>: the cfg service's (reloads). Both become children.</param>
    /// <param name="store">The replicated store's Props (a child synchronized as <see cref="ServiceId.Store"/>), or null: the node runs no store.</param>
    public TokenHolder(Func<SrpOptions> optionsNow, NodeBoard board, IActorRef adapter, Props quorum, Props cfg, RingHooks hooks, ILogger log, Props? store)
    {
        var options = optionsNow();
        _engine = new TokenHolderEngine(options);
        _maxPending = options.MaxPendingMessages;
        _maxPendingBytes = options.MaxPendingBytes;
        _tokenTimeoutMs = options.Timeouts.Token;
        _board = board;
        _adapter = adapter;
        _quorumProps = quorum;
        _cfgProps = cfg;
        _storeProps = store;
        _hooks = hooks;
        _log = log.ForContext(LogSubsystem.Property, LogSubsystem.Totem);
        _syncLog = log.ForContext(LogSubsystem.Property, LogSubsystem.Sync);
        _mainLog = log.ForContext(LogSubsystem.Property, LogSubsystem.Main);
        _sync = new ServiceSync(options.LocalNode, SyncServiceNames(store is not null));
    }

    /// <summary>The services that take part in the synchronization, with corosync's names for them.</summary>
    private static Dictionary<byte, string> SyncServiceNames(bool store)
    {
        var names = new Dictionary<byte, string> { [(byte)ServiceId.VoteQuorum] = "corosync vote quorum service v1.0" };
        if (store) names[(byte)ServiceId.Store] = "totem replicated store v1.0";
        return names;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Func<SrpOptions> optionsNow, NodeBoard board, IActorRef adapter, Props quorum, Props cfg, RingHooks hooks, ILogger log, Props? store = null) =>
        Akka.Actor.Props.Create(() => new TokenHolder(optionsNow, board, adapter, quorum, cfg, hooks, log, store));

    private long NowMs => Context.System.Scheduler.Now.ToUnixTimeMilliseconds();

    protected override void PreStart()
    {
        _timers = new RetransmitTimer(Timers);
        _quorum = Context.ActorOf(_quorumProps, "votequorum");
        _cfg = Context.ActorOf(_cfgProps, "cfg");
        _syncServices[ServiceId.VoteQuorum] = _quorum;
        if (_storeProps is not null) _syncServices[ServiceId.Store] = _store = Context.ActorOf(_storeProps, "store");
        Publish();
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case MembershipBatch batch:
                OnBatch(batch);
                return;
            case SetExpectedVotesCommand or AnnounceLeavingCommand:
                _quorum.Forward(message);
                return;
            case ReloadConfigCommand command:
                _cfg.Forward(command);
                return;
            case StoreWriteCommand or StoreReadCommand or RingQuorumVerdict:
                _store.Forward(message);
                return;
        }
        if (_incarnation is null)
        {
            _held.Enqueue((message, Sender));
            return;
        }
        Handle(message, Sender);
    }

    private void Handle(object message, IActorRef sender)
    {
        switch (message)
        {
            case MessageReceived received:
                OnMessage(received);
                break;
            case RingTimerExpired expired:
                OnTimerExpired(expired);
                break;
            case Broadcast broadcast:
                Step(new SubmitMessage(ServiceFrame.Wrap(broadcast.Service, broadcast.Body), broadcast.Guarantee, SubmitLane.Service));
                break;
            case SubmitApplicationMessage submit:
                OnSubmitApplication(submit, sender);
                break;
            case SubmitApplicationBatch batch:
                OnSubmitBatch(batch, sender);
                break;
            case TimeoutsReloaded reloaded:
                OnTimeoutsReloaded(reloaded);
                break;
            case AwaitRingToken watch:
                _storeTokenWatch = (watch.Ring, _engine.OperationalTokensTaken);
                break;
            case ServiceSyncProcessed processed:
                if (_left) break;
                Sync(new ServiceProcessed((byte)processed.Service, processed.Ring));
                Step(null);
                break;
            default:
                Unhandled(message);
                return;
        }
        SendReports(answer: false);
    }

    private void OnBatch(MembershipBatch batch)
    {
        var first = false;
        if (!ReferenceEquals(batch.Incarnation, _incarnation))
        {
            // A fresh Membership numbers its batches from 1; any other batch of an unknown incarnation was sent
            // before a restart of the pair and is dropped.
            if (batch.Seq != 1) return;
            first = _incarnation is null;
            _incarnation = batch.Incarnation;
            _membership = Sender;
        }
        _seen = batch.Seq;
        foreach (var item in batch.Items)
        {
            if (_timers.TryApply(item)) continue;
            switch (item)
            {
                case MembershipCommand command:
                    Step(command);
                    break;
                case RingLeft:
                    _left = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown item {item.GetType().Name} in a Membership batch", nameof(batch));
            }
        }
        SendReports(answer: true);
        if (!first) return;
        while (_held.Count > 0)
        {
            var (message, sender) = _held.Dequeue();
            Handle(message, sender);
        }
    }

    private void OnMessage(MessageReceived received)
    {
        if (!RingHalves.IsTokenHolders(received.Message))
        {
            // No sender, or not the token's traffic: corosync counts it in rx_msg_dropped.
            _rxDropped++;
            Publish();
            return;
        }
        Step(received);
    }

    private void OnTimerExpired(RingTimerExpired fired)
    {
        if (_left) return;
        if (fired.Timer == SrpTimer.TokenLoss)
        {
            _board.CountTokenLoss();
            _board.Publish(new TokenLost(Context.System.Scheduler.Now, _engine.RingId, _tokenTimeoutMs));
        }
        Step(new TimerExpired(fired.Timer));
    }

    /// <summary>Both halves take the new timing: this engine now, Membership's in its mailbox order (a timer either arms stays armed).</summary>
    private void OnTimeoutsReloaded(TimeoutsReloaded reloaded)
    {
        _tokenTimeoutMs = reloaded.Timeouts.Token;
        Step(new ApplyTimeouts(reloaded.Timeouts));
        _membership.Tell(reloaded);
    }

    private void OnSubmitApplication(SubmitApplicationMessage submit, IActorRef sender)
    {
        var payload = ServiceFrame.Wrap(ServiceId.Application, submit.Payload);
        var before = _board.SubmittedCount;
        var rejected = Step(new SubmitMessage(payload, DeliveryGuarantee.Agreed));
        if (rejected is not null)
        {
            Reply(sender, SubmitResult.Refused(SubmitRefusal.QueueFull, rejected.Reason));
            return;
        }
        _board.CountSubmitted();
        Reply(sender, SubmitResult.Queued(before));
    }

    /// <summary>
    /// A batch is queued whole or not at all, as a client resends a refused batch whole (CPG's CS_ERR_TRY_AGAIN): the
    /// sizes and the room in the send queue are checked before the first message goes in. The engine is stepped once
    /// per message and the board published once per batch.
    /// </summary>
    private void OnSubmitBatch(SubmitApplicationBatch batch, IActorRef sender)
    {
        if (RefusalOf(batch.Payloads) is { } refused)
        {
            Reply(sender, new ApplicationBatchSubmitted(batch.Ticket, refused));
            return;
        }
        var first = _board.SubmittedCount;
        var queued = 0;
        SubmitRejected? rejected = null;
        foreach (var payload in batch.Payloads)
        {
            rejected = _left ? null : Run(new SubmitMessage(ServiceFrame.Wrap(ServiceId.Application, payload.Span), DeliveryGuarantee.Agreed));
            if (rejected is not null) break;
            queued++;
        }
        Step(null);
        _board.CountSubmitted(queued);
        // Only a refusal the checks above did not foresee (none today) leaves part of a batch queued: the answer says how much.
        Reply(sender, new ApplicationBatchSubmitted(batch.Ticket, rejected is null
            ? SubmitResult.Queued(first)
            : SubmitResult.Refused(SubmitRefusal.QueueFull, $"{rejected.Reason} after {queued} of {batch.Payloads.Count} messages of the batch were queued")));
    }

    /// <summary>Why a batch is refused before any of it is queued, or null when it fits.</summary>
    private SubmitResult? RefusalOf(IReadOnlyList<ReadOnlyMemory<byte>> payloads)
    {
        if (_left) return SubmitResult.Refused(SubmitRefusal.Stopping, "the node has left the ring");
        for (var i = 0; i < payloads.Count; i++)
        {
            if (payloads[i].Length + ServiceFrame.HeaderBytes > Protocol.Pg.PgLimits.MaxMessageBytes)
                return SubmitResult.Refused(SubmitRefusal.TooLarge,
                    $"message {i} of the batch has {payloads[i].Length} bytes, above the limit of {Protocol.Pg.PgLimits.MaxMessageBytes - ServiceFrame.HeaderBytes} bytes");
        }
        // Bytes as the engine counts them: each payload with the service byte the node puts in front of it.
        var bytes = (long)payloads.Count * ServiceFrame.HeaderBytes;
        for (var i = 0; i < payloads.Count; i++) bytes += payloads[i].Length;
        if (payloads.Count > _maxPending)
            return SubmitResult.Refused(SubmitRefusal.TooLarge, $"a batch of {payloads.Count} messages is larger than the send queue ({_maxPending} messages)");
        if (bytes > _maxPendingBytes)
            return SubmitResult.Refused(SubmitRefusal.TooLarge, $"a batch of {bytes} bytes is larger than the send queue ({_maxPendingBytes} bytes)");
        var pending = _engine.PendingMessages;
        if (pending + payloads.Count > _maxPending)
            return SubmitResult.Refused(SubmitRefusal.QueueFull, $"the send queue is full: {pending} of {_maxPending} messages wait for the token, the batch has {payloads.Count}");
        var pendingBytes = _engine.PendingBytes;
        return pendingBytes + bytes > _maxPendingBytes
            ? SubmitResult.Refused(SubmitRefusal.QueueFull, $"the send queue is full: {pendingBytes} of {_maxPendingBytes} bytes wait for the token, the batch has {bytes}")
            : null;
    }

    /// <summary>Answers an asker; a fire-and-forget submit (the simulator's workload) gets no answer, so no dead letter.</summary>
    private void Reply(IActorRef sender, object answer)
    {
        if (!sender.IsNobody() && !sender.Equals(Context.System.DeadLetters)) sender.Tell(answer);
    }

    /// <summary>
    /// Feeds one input (if any) to the engine and carries out what it asks, then the self-suspension after a token
    /// loss, what the service synchronization submits, and the messages it sent itself; returns a rejection of a
    /// submitted message, if any. After the leave, nothing.
    /// </summary>
    private SubmitRejected? Step(SrpInput? input)
    {
        if (_left) return null;
        var rejected = input is null ? null : Run(input);
        while (!_left && (_suspendAfterLoss || _syncInputs.Count > 0 || _loopback.Count > 0))
        {
            if (_suspendAfterLoss)
            {
                _suspendAfterLoss = false;
                Run(new SuspendRing());
            }
            else if (_syncInputs.Count > 0)
            {
                Run(_syncInputs.Dequeue());
            }
            else
            {
                Run(new MessageReceived(_loopback.Dequeue()));
            }
        }
        Publish();
        return rejected;
    }

    private SubmitRejected? Run(SrpInput input)
    {
        _outputs.Clear();
        _engine.Handle(input, NowMs, _outputs);
        SubmitRejected? rejected = null;
        foreach (var output in _outputs)
        {
            _hooks.ProtocolOutput?.Invoke(output);
            if (_timers.TryApply(output)) continue;
            switch (output)
            {
                case SendMessage send:
                    _adapter.Tell(new SendTotemMessage(send.Message, send.Destination));
                    break;
                case TellMembership tell:
                    _reports.Add(tell.Report);
                    if (tell.Report is TokenLostReport) _suspendAfterLoss = true;
                    break;
                case SelfDelivery self:
                    if (RingHalves.IsMemberships(self.Message)) _membership.Tell(new MessageReceived(self.Message));
                    else _loopback.Enqueue(self.Message);
                    break;
                case Delivered delivered:
                    Deliver(delivered);
                    break;
                case ConfigurationChanged change:
                    OnConfigurationChanged(change);
                    break;
                case SrpLog log:
                    _log.Write(LevelOf(log.Level), log.Template, log.Args);
                    break;
                case SubmitRejected r:
                    rejected = r;
                    break;
            }
        }
        AnswerStoreTokenWatch();
        return rejected;
    }

    /// <summary>
    /// After this step's deliveries (the store sees them first): a token of the watched ring taken since the store asked
    /// is its answer; a new ring ends the watch unanswered (the store's writes then wait for the next sync).
    /// </summary>
    private void AnswerStoreTokenWatch()
    {
        if (_storeTokenWatch is not { } watch) return;
        if (_engine.RingId != watch.Ring)
        {
            _storeTokenWatch = null;
        }
        else if (_engine.OperationalTokensTaken != watch.Taken)
        {
            _storeTokenWatch = null;
            _store.Tell(new RingTokenTaken(watch.Ring));
        }
    }

    /// <param name="answer">The step was a batch of Membership's: answer it even without reports.</param>
    private void SendReports(bool answer)
    {
        if (_reports.Count == 0 && !answer) return;
        _membership.Tell(new TokenHolderReports(_incarnation!, _seen, _reports.ToArray()));
        _reports.Clear();
    }

    private void Publish() => _board.PublishTokenHolder(_engine.Stats, _engine.TokenRotationAvgMs, _engine.AvgBacklogCalc, _rxDropped, _engine.PendingMessages);

    private void Deliver(Delivered delivered)
    {
        if (!ServiceFrame.TryUnwrap(delivered.Payload, out var service, out var body))
        {
            _log.Warning("Dropped a delivered message of an unknown service from {Source} ({RingId}/{Seq})", delivered.Source, delivered.RingId, delivered.Seq);
            return;
        }
        switch (service)
        {
            case ServiceId.Application:
                _board.AppendDelivery(delivered.RingId, delivered.Seq, delivered.Source, body);
                break;
            case ServiceId.VoteQuorum:
                _quorum.Tell(new QuorumMessageDelivered(delivered.Source, body));
                break;
            case ServiceId.Sync:
                OnSyncDelivered(delivered.Source, body);
                break;
            case ServiceId.Cfg:
                _cfg.Tell(new CfgMessageDelivered(delivered.Source, body));
                break;
            case ServiceId.Store:
                _store.Tell(new StoreFrameDelivered(delivered.Source, body));
                break;
        }
    }

    private void OnSyncDelivered(NodeId source, ReadOnlyMemory<byte> body)
    {
        SyncMessage message;
        try
        {
            message = SyncMessageCodec.Decode(body.Span);
        }
        catch (FormatException error)
        {
            _syncLog.Warning("Ignored a malformed sync message from node {Source}: {Error}", source, error.Message);
            return;
        }
        Sync(new SyncMessageDelivered(source, message));
    }

    private void OnConfigurationChanged(ConfigurationChanged change)
    {
        if (change.Kind == ConfigurationKind.Transitional)
        {
            // EVS names the processors that left in the transitional configuration and those that joined in the
            // regular one; the membership event an operator reads ("Members left: 5") carries both.
            _leftInTransitional = change.Left;
            _store.Tell(new TransitionalConfigurationDelivered(change.Members));
            Sync(new TransitionalDelivered(change.Members));
            return;
        }
        _board.Publish(new MembershipFormed(Context.System.Scheduler.Now, change.RingId, change.Members, change.Joined, _leftInTransitional));
        _leftInTransitional = ValueList<NodeId>.Empty;
        Sync(new RegularDelivered(change.RingId, change.Members));
    }

    /// <summary>Runs the service synchronization on one input; engine inputs it causes wait in <see cref="_syncInputs"/>.</summary>
    private void Sync(SyncInput input)
    {
        foreach (var output in _sync.Handle(input))
        {
            switch (output)
            {
                case MulticastSync multicast:
                    _syncInputs.Enqueue(new SubmitMessage(ServiceFrame.Wrap(ServiceId.Sync, SyncMessageCodec.Encode(multicast.Message)),
                        DeliveryGuarantee.Agreed, SubmitLane.Service));
                    break;
                case InitService init:
                    SyncService(init.Service).Tell(new ServiceSyncInit(init.Ring, init.Transitional, init.Members));
                    break;
                case ProcessService process:
                    SyncService(process.Service).Tell(new ServiceSyncProcess(process.Ring));
                    break;
                case ActivateService activate:
                    SyncService(activate.Service).Tell(new ServiceSyncActivate(activate.Ring));
                    break;
                case AbortService abort:
                    SyncService(abort.Service).Tell(new ServiceSyncAbort());
                    break;
                case SyncCompleted completed:
                    OnSyncCompleted(completed);
                    break;
                case SyncLog log:
                    _syncLog.Write(LevelOf(log.Level), log.Template, log.Args);
                    break;
            }
        }
    }

    private IActorRef SyncService(byte service) => _syncServices[(ServiceId)service];

    private void OnSyncCompleted(SyncCompleted completed)
    {
        _syncLog.Debug("Synchronized {Services} service(s) of ring {RingId}: {Sent} sync messages sent, {Delivered} delivered, {Aborted} earlier round(s) aborted",
            completed.Services, completed.Ring, completed.MessagesSent, completed.MessagesDelivered, completed.RoundsAborted);
        _mainLog.Information("Completed service synchronization, ready to provide service.");
        _hooks.ServiceSyncCompleted?.Invoke(completed.Ring);
        _syncInputs.Enqueue(new TransAck(completed.Ring));
    }

    internal static LogEventLevel LevelOf(SrpLogLevel level) => level switch
    {
        SrpLogLevel.Debug => LogEventLevel.Debug,
        SrpLogLevel.Information or SrpLogLevel.Notice => LogEventLevel.Information,
        SrpLogLevel.Warning => LogEventLevel.Warning,
        _ => LogEventLevel.Error,
    };
}
