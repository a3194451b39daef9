using Serilog;
using Serilog.Events;
using Akka.Actor;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Services;
using Totem.Protocol.Quorum;
using Totem.Protocol.Wire;
using QuorumChangedEvent = Totem.Nodes.Control.QuorumChanged;

namespace Totem.Nodes.Actors;

/// <summary>
/// votequorum: after each new membership the ring's service synchronization runs it (init, process: the
/// members exchange node-info through the ordered ring, activate once every member's barrier is in), and
/// the pure calculator decides quorum from what the current members report. Verdicts go to the
/// watchdog; status goes to the board. A child of the ring (<c>Context.Parent</c>), which it multicasts through;
/// restarted with a fresh calculator after a failure, as today.
/// </summary>
public sealed class VoteQuorumService : UntypedActor, IWithTimers
{
    private const string LastManStandingTimer = "last_man_standing";
    private readonly VoteQuorum _calculator;
    private readonly NodeBoard _board;
    private readonly IActorRef _watchdog;
    private readonly ILogger _log;
    private bool? _lastQuorate;
    // Who waits for this node's leaving node-info to come back through the ring (the shutdown's LeaveSequence).
    private IActorRef? _leaveAsker;
    // The node runs the replicated store, which needs each verdict with its ring (through the ring, its parent).
    private readonly bool _verdictsToRing;

    public VoteQuorumService(NodeOptions options, NodeBoard board, IActorRef watchdog, ILogger log, bool verdictsToRing)
    {
        _verdictsToRing = verdictsToRing;
        _calculator = new VoteQuorum(options.NodeId, options.Quorum, options.Nodelist);
        _board = board;
        _watchdog = watchdog;
        _log = log.ForContext(LogSubsystem.Property, LogSubsystem.Quorum);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ServiceSyncInit init:
                Step(new MembershipChanged(init.Ring, init.Members));
                break;
            case ServiceSyncProcess process:
                Step(new SyncProcess());
                // After the node-info in this actor's mailbox order to the ring: the barrier follows it.
                Context.Parent.Tell(new ServiceSyncProcessed(ServiceId.VoteQuorum, process.Ring));
                break;
            case ServiceSyncActivate:
                Step(new SyncActivate());
                break;
            case ServiceSyncAbort:
                Step(new SyncAbort());
                break;
            case QuorumMessageDelivered delivered:
                OnDelivered(delivered);
                break;
            case LastManStandingExpired:
                Step(new LastManStandingTimerExpired());
                break;
            case SetExpectedVotesCommand command:
                OnSetExpectedVotes(command);
                break;
            case AnnounceLeavingCommand:
                OnAnnounceLeaving();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="verdictsToRing">Tell the ring (the parent) every verdict with its ring, for the replicated store; off without a store, so nothing else changes.</param>
    public static Props Props(NodeOptions options, NodeBoard board, IActorRef watchdog, ILogger log, bool verdictsToRing = false) =>
        Akka.Actor.Props.Create<VoteQuorumService>(options, board, watchdog, log, verdictsToRing);

    private long NowMs => Context.System.Scheduler.Now.ToUnixTimeMilliseconds();

    protected override void PreStart() => Apply(_calculator.StartupOutputs);

    private void OnDelivered(QuorumMessageDelivered delivered)
    {
        QuorumMessage message;
        try
        {
            message = QuorumMessageCodec.Decode(delivered.Body.Span);
        }
        catch (FormatException error)
        {
            _log.Warning("Ignored a malformed votequorum message from node {Source}: {Error}", delivered.Source, error.Message);
            return;
        }
        switch (message)
        {
            case NodeInfo info:
                Step(new NodeInfoReceived(delivered.Source, info));
                break;
            case Reconfigure reconfigure:
                Step(new ReconfigureReceived(delivered.Source, reconfigure));
                break;
        }
    }

    private void OnSetExpectedVotes(SetExpectedVotesCommand command)
    {
        var outputs = Step(new SetExpectedVotes(command.Votes));
        var verdict = outputs.OfType<CommandResult>().FirstOrDefault();
        if (verdict is null || !verdict.Accepted)
        {
            Sender.Tell(SetExpectedVotesResult.Refused(verdict?.Reason ?? "votequorum did not accept the command"));
            return;
        }
        // The new value takes effect when the reconfigure message comes back through the ring, on every node alike.
        Sender.Tell(SetExpectedVotesResult.Applied(command.Votes, QuorumMath.MajorityOf(command.Votes)));
    }

    private void OnAnnounceLeaving()
    {
        var outputs = Step(new AnnounceLeaving());
        if (outputs.OfType<CommandResult>().Single().Accepted) _leaveAsker = Sender;
        else Sender.Tell(new LeaveAnnounced(false));
    }

    private IReadOnlyList<QuorumOutput> Step(QuorumInput input)
    {
        var outputs = _calculator.Handle(input, NowMs);
        Apply(outputs);
        return outputs;
    }

    private void Apply(IReadOnlyList<QuorumOutput> outputs)
    {
        foreach (var output in outputs)
        {
            switch (output)
            {
                case MulticastNodeInfo m:
                    Context.Parent.Tell(new Broadcast(ServiceId.VoteQuorum, QuorumMessageCodec.Encode(m.Info), DeliveryGuarantee.Agreed));
                    break;
                case MulticastReconfigure m:
                    Context.Parent.Tell(new Broadcast(ServiceId.VoteQuorum, QuorumMessageCodec.Encode(m.Reconfigure), DeliveryGuarantee.Agreed));
                    break;
                case StartLastManStandingTimer start:
                    Timers.StartSingleTimer(LastManStandingTimer, LastManStandingExpired.Instance, TimeSpan.FromMilliseconds(start.DelayMs));
                    break;
                case StopLastManStandingTimer:
                    Timers.Cancel(LastManStandingTimer);
                    break;
                case Totem.Protocol.Quorum.QuorumChanged changed:
                    OnQuorumChanged(changed);
                    break;
                case LeavingAnnounced:
                    _leaveAsker?.Tell(new LeaveAnnounced(true));
                    _leaveAsker = null;
                    break;
                case QuorumLog log:
                    _log.Write(LevelOf(log.Level), log.Template, log.Args);
                    break;
            }
        }
        _board.PublishQuorum(_calculator.Status);
    }

    private void OnQuorumChanged(Totem.Protocol.Quorum.QuorumChanged changed)
    {
        _watchdog.Tell(new QuorumVerdict(changed.Quorate));
        // Through the ring to the store, which needs the verdict of each ring (a write or a sync summary leans on it).
        if (_verdictsToRing) Context.Parent.Tell(new RingQuorumVerdict(changed.Quorate, changed.RingId));
        if (_lastQuorate == changed.Quorate) return;
        _lastQuorate = changed.Quorate;
        _board.Publish(new QuorumChangedEvent(Context.System.Scheduler.Now, changed.Quorate, changed.TotalVotes, changed.ExpectedVotes, changed.Quorum, changed.Members));
    }

    private sealed record LastManStandingExpired
    {
        public static LastManStandingExpired Instance { get; } = new();
    }

    internal static LogEventLevel LevelOf(QuorumLogLevel level) => level switch
    {
        QuorumLogLevel.Debug => LogEventLevel.Debug,
        QuorumLogLevel.Warning => LogEventLevel.Warning,
        QuorumLogLevel.Error or QuorumLogLevel.Critical => LogEventLevel.Error,
        _ => LogEventLevel.Information,
    };
}
