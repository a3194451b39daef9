using Serilog;
using Serilog.Events;
using Totem.Actors;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Services;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>
/// The ring: wraps the pure Totem engine (ordered log, token, membership, recovery) and turns its
/// outputs into messages for the adapter, the timers and the services. DESIGN.md draws TokenHolder
/// and Membership as two actors; totemsrp runs them as one state machine because a token in
/// RECOVERY, the commit token and the ordered log share one ring state, so here they are one actor
/// over one engine, which keeps corosync's atomicity without cross-actor races.
/// </summary>
public sealed class TokenRing : ReceiveActor
{
    private readonly TotemSrp _engine;
    private readonly NodeBoard _board;
    private readonly NodeWiring _wiring;
    private readonly ILogger _log;
    private readonly List<SrpOutput> _outputs = new();
    private readonly long[] _generation = new long[Enum.GetValues<SrpTimer>().Length];
    private long _nextGeneration;
    private readonly uint _tokenTimeoutMs;

    public TokenRing(SrpOptions options, NodeBoard board, NodeWiring wiring, ILogger log)
    {
        _engine = new TotemSrp(options);
        _tokenTimeoutMs = options.Timeouts.Token;
        _board = board;
        _wiring = wiring;
        _log = log.ForContext(LogSubsystem.Property, LogSubsystem.Totem);
        Receive<StartRing>(_ => StartEngine());
        Receive<MessageReceived>(received => Step(received));
        Receive<TimerFired>(OnTimerFired);
        Receive<Broadcast>(broadcast => Step(new SubmitMessage(ServiceFrame.Wrap(broadcast.Service, broadcast.Body), broadcast.Guarantee)));
        Receive<SubmitApplicationMessage>(OnSubmitApplication);
        Receive<LeaveRingCommand>(_ =>
        {
            Step(new LeaveRing());
            Sender.Tell(new LeaveSent());
        });
    }

    private long NowMs => Context.System.Now.ToUnixTimeMilliseconds();

    // The first start waits for StartRing (the node's other actors must exist first); a restart after a
    // failure starts a fresh engine at once, as a rebooted corosync would, above the ring seqs seen so far.
    protected override void PreStart()
    {
    }

    protected override void PostRestart(Exception reason) => StartEngine();

    private void StartEngine()
    {
        _outputs.Clear();
        _engine.Start(NowMs, _outputs);
        Apply();
    }

    private void OnTimerFired(TimerFired fired)
    {
        if (_generation[(int)fired.Timer] != fired.Generation) return;
        _generation[(int)fired.Timer] = 0;
        if (fired.Timer == SrpTimer.TokenLoss)
        {
            _board.CountTokenLoss();
            _board.Publish(new TokenLost(Context.System.Now, _engine.RingId, _tokenTimeoutMs));
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
            Sender.Tell(SubmitResult.Refused(SubmitRefusal.QueueFull, rejected.Reason));
            return;
        }
        _board.CountSubmitted();
        Sender.Tell(SubmitResult.Queued(before));
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
            _wiring.ProtocolOutput?.Invoke(output);
            switch (output)
            {
                case SendMessage send:
                    _wiring.Adapter.Tell(new SendTotemMessage(send.Message, send.Destination));
                    break;
                case StartTimer start:
                    var generation = ++_nextGeneration;
                    _generation[(int)start.Timer] = generation;
                    _wiring.Timers.Tell(new ArmTimer(start.Timer, start.DelayMs, generation));
                    break;
                case StopTimer stop:
                    _generation[(int)stop.Timer] = 0;
                    _wiring.Timers.Tell(new DisarmTimer(stop.Timer));
                    break;
                case Delivered delivered:
                    Deliver(delivered);
                    break;
                case ConfigurationChanged change:
                    OnConfigurationChanged(change);
                    break;
                case RingSeqObserved observed:
                    _board.ObserveRingSeq(observed.RingSeq);
                    _wiring.PersistRingSeq?.Invoke(observed.RingSeq);
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
                _wiring.Quorum.Tell(new QuorumMessageDelivered(delivered.Source, body));
                break;
        }
    }

    private void OnConfigurationChanged(ConfigurationChanged change)
    {
        if (change.Kind != ConfigurationKind.Regular) return;
        _board.Publish(new MembershipFormed(Context.System.Now, change.RingId, change.Members, change.Joined, change.Left));
        _wiring.Quorum.Tell(new RingInstalled(change.RingId, change.Members));
    }

    private static LogEventLevel LevelOf(SrpLogLevel level) => level switch
    {
        SrpLogLevel.Debug => LogEventLevel.Debug,
        SrpLogLevel.Information or SrpLogLevel.Notice => LogEventLevel.Information,
        SrpLogLevel.Warning => LogEventLevel.Warning,
        _ => LogEventLevel.Error,
    };
}
