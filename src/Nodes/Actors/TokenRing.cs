using Akka.Actor;
using Serilog;
using Serilog.Events;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Services;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>
/// The ring: wraps the pure Totem engine (ordered log, token, membership, recovery) and turns its outputs into
/// messages for the adapter and the services; owns the protocol timers as keyed Akka timers (token loss, token
/// warning, token retransmit, hold, join, consensus, merge, downcheck: <see cref="RetransmitTimer"/>), so an
/// expiry that crossed a re-arm or a stop is dropped by Akka instead of by generation counters. Its child is
/// votequorum (a service above the ring, as in corosync). A restart after a failure is a node restart of the ring,
/// as a rebooted corosync: a fresh engine above the ring seqs seen so far, and a fresh votequorum.
/// (DESIGN.md draws TokenHolder and Membership as two actors; splitting the engine is a later step of issue 17.)
/// </summary>
public sealed class TokenRing : UntypedActor, IWithTimers
{
    private readonly TotemSrp _engine;
    private readonly NodeBoard _board;
    private readonly IActorRef _adapter;
    private readonly Props _quorumProps;
    private readonly RingHooks _hooks;
    private readonly ILogger _log;
    private readonly List<SrpOutput> _outputs = new();
    private readonly uint _tokenTimeoutMs;
    private IActorRef _quorum = ActorRefs.Nobody;
    private RetransmitTimer _timers = null!;

    /// <param name="optionsNow">Evaluated by each incarnation (Props keep their arguments, so the function is the
    /// argument): a restarted ring starts above the ring seqs seen so far.</param>
    public TokenRing(Func<SrpOptions> optionsNow, NodeBoard board, IActorRef adapter, Props quorum, RingHooks hooks, ILogger log)
    {
        var options = optionsNow();
        _engine = new TotemSrp(options);
        _tokenTimeoutMs = options.Timeouts.Token;
        _board = board;
        _adapter = adapter;
        _quorumProps = quorum;
        _hooks = hooks;
        _log = log.ForContext(LogSubsystem.Property, LogSubsystem.Totem);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case MessageReceived received:
                Step(received);
                break;
            case RingTimerExpired expired:
                OnTimerExpired(expired);
                break;
            case Broadcast broadcast:
                Step(new SubmitMessage(ServiceFrame.Wrap(broadcast.Service, broadcast.Body), broadcast.Guarantee));
                break;
            case SubmitApplicationMessage submit:
                OnSubmitApplication(submit);
                break;
            case SetExpectedVotesCommand command:
                _quorum.Forward(command);
                break;
            case LeaveRingCommand:
                Step(new LeaveRing());
                Sender.Tell(new LeaveSent());
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Func<SrpOptions> optionsNow, NodeBoard board, IActorRef adapter, Props quorum, RingHooks hooks, ILogger log) =>
        Akka.Actor.Props.Create<TokenRing>(optionsNow, board, adapter, quorum, hooks, log);

    private long NowMs => Context.System.Scheduler.Now.ToUnixTimeMilliseconds();

    protected override SupervisorStrategy SupervisorStrategy() => NodeSupervision.RestartAndReport(_hooks.OnActorFailure);

    protected override void PreStart()
    {
        _timers = new RetransmitTimer(Timers);
        _quorum = Context.ActorOf(_quorumProps, "votequorum");
        _outputs.Clear();
        _engine.Start(NowMs, _outputs);
        Apply();
    }

    private void OnTimerExpired(RingTimerExpired fired)
    {
        if (fired.Timer == SrpTimer.TokenLoss)
        {
            _board.CountTokenLoss();
            _board.Publish(new TokenLost(Context.System.Scheduler.Now, _engine.RingId, _tokenTimeoutMs));
        }
        Step(new TimerExpired(fired.Timer));
    }

    private void OnSubmitApplication(SubmitApplicationMessage submit)
    {
        var payload = ServiceFrame.Wrap(ServiceId.Application, submit.Payload);
        var before = _board.SubmittedCount;
        var rejected = Step(new SubmitMessage(payload, DeliveryGuarantee.Agreed));
        if (rejected is not null)
        {
            Reply(SubmitResult.Refused(SubmitRefusal.QueueFull, rejected.Reason));
            return;
        }
        _board.CountSubmitted();
        Reply(SubmitResult.Queued(before));
    }

    /// <summary>Answers an asker; a fire-and-forget submit (the simulator's workload) gets no answer, so no dead letter.</summary>
    private void Reply(object answer)
    {
        if (!Sender.IsNobody() && !Sender.Equals(Context.System.DeadLetters)) Sender.Tell(answer);
    }

    /// <summary>Feeds one input to the engine and carries out what it asks; returns a rejection of a submitted message, if any.</summary>
    private SubmitRejected? Step(SrpInput input)
    {
        _outputs.Clear();
        _engine.Handle(input, NowMs, _outputs);
        return Apply();
    }

    private SubmitRejected? Apply()
    {
        SubmitRejected? rejected = null;
        foreach (var output in _outputs)
        {
            _hooks.ProtocolOutput?.Invoke(output);
            switch (output)
            {
                case SendMessage send:
                    _adapter.Tell(new SendTotemMessage(send.Message, send.Destination));
                    break;
                case StartTimer start:
                    _timers.Start(start.Timer, start.DelayMs);
                    break;
                case StopTimer stop:
                    _timers.Stop(stop.Timer);
                    break;
                case Delivered delivered:
                    Deliver(delivered);
                    break;
                case ConfigurationChanged change:
                    OnConfigurationChanged(change);
                    break;
                case RingSeqObserved observed:
                    _board.ObserveRingSeq(observed.RingSeq);
                    _hooks.PersistRingSeq?.Invoke(observed.RingSeq);
                    break;
                case SrpLog log:
                    _log.Write(LevelOf(log.Level), log.Template, log.Args);
                    break;
                case SubmitRejected r:
                    rejected = r;
                    break;
            }
        }
        _board.PublishRing(_engine.State, _engine.RingId, _engine.Members, _engine.Counters, _engine.PendingMessages);
        return rejected;
    }

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
        }
    }

    private void OnConfigurationChanged(ConfigurationChanged change)
    {
        if (change.Kind != ConfigurationKind.Regular) return;
        _board.Publish(new MembershipFormed(Context.System.Scheduler.Now, change.RingId, change.Members, change.Joined, change.Left));
        _quorum.Tell(new RingInstalled(change.RingId, change.Members));
    }

    private static LogEventLevel LevelOf(SrpLogLevel level) => level switch
    {
        SrpLogLevel.Debug => LogEventLevel.Debug,
        SrpLogLevel.Information or SrpLogLevel.Notice => LogEventLevel.Information,
        SrpLogLevel.Warning => LogEventLevel.Warning,
        _ => LogEventLevel.Error,
    };
}

/// <summary>What the ring reports outside the actors: engine outputs (the simulator's checker), ring seqs to keep, actor failures.</summary>
public sealed record RingHooks
{
    public static RingHooks None { get; } = new();

    /// <summary>Every engine output, in order, for the simulator's invariant checker (null in production).</summary>
    public Action<SrpOutput>? ProtocolOutput { get; init; }

    /// <summary>Where a newly seen ring seq is kept across restarts (null: not kept).</summary>
    public Action<ulong>? PersistRingSeq { get; init; }

    /// <summary>Told of every actor failure the node's supervisors handle (the simulator counts each as a bug).</summary>
    public Action<string, Exception>? OnActorFailure { get; init; }
}

/// <summary>
/// The ring's protocol timers on the actor's keyed timers: one key per <see cref="SrpTimer"/>; starting a timer
/// replaces its previous arming and stopping cancels it, and Akka drops an expiry of an arming that was replaced
/// or cancelled even when it is already in the mailbox.
/// </summary>
public sealed class RetransmitTimer
{
    private static readonly object[] Keys = Enum.GetValues<SrpTimer>().Select(t => (object)t).ToArray();
    private static readonly RingTimerExpired[] Expiries = Enum.GetValues<SrpTimer>().Select(t => new RingTimerExpired(t)).ToArray();
    private readonly ITimerScheduler _timers;

    public RetransmitTimer(ITimerScheduler timers) => _timers = timers;

    public void Start(SrpTimer timer, uint delayMs) =>
        _timers.StartSingleTimer(Keys[(int)timer], Expiries[(int)timer], TimeSpan.FromMilliseconds(delayMs));

    public void Stop(SrpTimer timer) => _timers.Cancel(Keys[(int)timer]);

    public bool IsActive(SrpTimer timer) => _timers.IsTimerActive(Keys[(int)timer]);
}
