using Akka.Actor;
using Serilog;
using Serilog.Events;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Services;
using Totem.Protocol.Srp;
using Totem.Protocol.Store;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>
/// The replicated configuration store (issue 16, pmxcfs) on the ring: the pure <see cref="StoreEngine"/> fed with what
/// the ring delivers, its sync callbacks and votequorum's verdicts, and with the clients' reads and writes. A child of
/// the ring (<c>Context.Parent</c>, which it multicasts through) like votequorum; everything of the ring reaches it
/// from the ring alone (deliveries, the transitional configuration, the sync callbacks), so in stream order.
/// <para>
/// The store's process phase follows votequorum's activation, but votequorum's verdict of the ring comes from another
/// actor (through the ring) and may arrive after the ring's process call: the call is held until the verdict of that
/// ring is in, so the summary says whether the ring is quorate and a quorate ring stamps its epoch.
/// </para>
/// <para>
/// Every state the engine asks to keep is written (<see cref="StoreHosting"/>) before any other output of the step is
/// acted on, so no write is acknowledged before it is on disk. A restarted actor starts from the latest kept state.
/// </para>
/// <para>
/// Every write is answered: by the engine, or after <see cref="AnswerTimeout"/> (on the actor system's clock, virtual in
/// the simulator) with an unknown outcome, never a refusal; and with an unknown outcome when the actor stops first.
/// </para>
/// </summary>
public sealed class StoreService : UntypedActor, IWithTimers
{
    /// <summary>
    /// A write waits for its Safe delivery and a token rotation, and one caught by a membership change for the next
    /// sync: longer than other commands.
    /// </summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    private sealed record AnswerTimedOut(ulong RequestId);

    private readonly StoreHosting _hosting;
    private readonly NodeBoard _board;
    private readonly ILogger _log;
    private readonly StoreEngine _engine;
    private readonly Dictionary<ulong, IActorRef> _askers = new();
    private ulong _nextRequest;
    private RingId? _verdictRing;
    private RingId? _heldProcess;

    public StoreService(NodeId local, StoreHosting hosting, NodeBoard board, ILogger log)
    {
        _hosting = hosting;
        _board = board;
        _log = log.ForContext(LogSubsystem.Property, LogSubsystem.Store);
        _engine = new StoreEngine(local, hosting.Kept);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeId local, StoreHosting hosting, NodeBoard board, ILogger log) =>
        Akka.Actor.Props.Create<StoreService>(local, hosting, board, log);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ServiceSyncInit init:
                _heldProcess = null;
                Step(new StoreSyncInit(init.Ring, init.Members));
                break;
            case ServiceSyncProcess process:
                if (_verdictRing == process.Ring) Step(new StoreSyncProcess(process.Ring));
                else _heldProcess = process.Ring;
                break;
            case ServiceSyncActivate activate:
                Step(new StoreSyncActivate(activate.Ring));
                break;
            case ServiceSyncAbort:
                _heldProcess = null;
                Step(new StoreSyncAbort());
                break;
            case TransitionalConfigurationDelivered transitional:
                _heldProcess = null;
                Step(new TransitionalConfiguration(transitional.Members));
                break;
            case RingQuorumVerdict verdict:
                OnVerdict(verdict);
                break;
            case StoreFrameDelivered delivered:
                OnDelivered(delivered);
                break;
            case RingTokenTaken taken:
                Step(new TokenRotated(taken.Ring));
                break;
            case AnswerTimedOut timedOut:
                if (_askers.ContainsKey(timedOut.RequestId))
                    Answer(timedOut.RequestId, StoreWriteResult.Refused(StoreErrorKind.OutcomeUnknown,
                        $"no answer for the write within {AnswerTimeout.TotalSeconds:0} s; it may or may not have been applied"));
                break;
            case StoreWriteCommand write:
                OnWrite(write);
                break;
            case StoreReadCommand read:
                Sender.Tell(Read(read));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnVerdict(RingQuorumVerdict verdict)
    {
        _verdictRing = verdict.Ring;
        Step(new QuorumVerdictChanged(verdict.Quorate, verdict.Ring));
        if (_heldProcess is { } ring && ring == verdict.Ring)
        {
            _heldProcess = null;
            Step(new StoreSyncProcess(ring));
        }
    }

    private void OnDelivered(StoreFrameDelivered delivered)
    {
        StoreMessage message;
        try
        {
            message = StoreMessageCodec.Decode(delivered.Body.Span);
        }
        catch (FormatException error)
        {
            _log.Warning("Ignored a malformed store message from node {Source}: {Error}", delivered.Source, error.Message);
            return;
        }
        Step(new StoreMessageDelivered(delivered.Source, message));
    }

    private void OnWrite(StoreWriteCommand write)
    {
        var id = ++_nextRequest;
        _askers[id] = Sender;
        Timers.StartSingleTimer(id, new AnswerTimedOut(id), AnswerTimeout);
        Step(new WriteRequested(id, write.Op, write.Path, write.Value.ToValueList(), write.ExpectedVersion));
    }

    private StoreReadResult Read(StoreReadCommand read)
    {
        if (!StorePath.TryParse(read.Path, out var path, out var error))
            return new StoreReadResult(read.Path, null, null, _engine.State.Version, _engine.Quorate, _engine.Synchronized,
                new StoreFailure(StoreErrorKind.InvalidRequest, error));
        var state = _engine.State;
        StoreFailure? failure = null;
        if (read.List)
        {
            var list = _engine.List(path);
            if (!state.IsDirectory(path))
                failure = state.Get(path) is null
                    ? new StoreFailure(StoreErrorKind.NotFound, $"'{path}' does not exist")
                    : new StoreFailure(StoreErrorKind.NotADirectory, $"'{path}' is a key, not a directory");
            return new StoreReadResult(path.Value, null, failure is null ? list.Value : null, list.StoreVersion, list.Quorate, list.Synchronized, failure);
        }
        var got = _engine.Get(path);
        if (got.Value is null)
            failure = state.IsDirectory(path)
                ? new StoreFailure(StoreErrorKind.IsDirectory, $"'{path}' is a directory; list it instead")
                : new StoreFailure(StoreErrorKind.NotFound, $"'{path}' does not exist");
        return new StoreReadResult(path.Value, got.Value, null, got.StoreVersion, got.Quorate, got.Synchronized, failure);
    }

    protected override void PreStart() => PublishStatus();

    private void PublishStatus()
    {
        var state = _engine.State;
        _board.PublishStore(new StoreSnapshot(state.Count, state.Version, state.Epoch, _engine.Quorate, _engine.Synchronized));
    }

    private void Step(StoreInput input)
    {
        var outputs = _engine.Handle(input);
        PublishStatus();
        // Only the latest state of a step needs keeping (each supersedes the earlier), and before any answer goes out.
        if (outputs.OfType<PersistSnapshot>().LastOrDefault() is { } keep) _hosting.Keep(keep.State);
        foreach (var output in outputs)
        {
            switch (output)
            {
                case MulticastStore multicast:
                    Context.Parent.Tell(new Broadcast(ServiceId.Store, StoreMessageCodec.Encode(multicast.Message), DeliveryGuarantee.Safe));
                    break;
                case AwaitTokenRotation rotation:
                    Context.Parent.Tell(new AwaitRingToken(rotation.Ring));
                    break;
                case StoreSyncProcessed processed:
                    // After the summary and chunks in this actor's mailbox order to the ring: the barrier follows them.
                    Context.Parent.Tell(new ServiceSyncProcessed(ServiceId.Store, processed.Ring));
                    break;
                case WriteCompleted completed:
                    Answer(completed.RequestId, StoreWriteResult.Applied(completed.KeyVersion, completed.StoreVersion));
                    break;
                case WriteFailed failed:
                    Answer(failed.RequestId, StoreWriteResult.Refused(failed.Kind, failed.Reason));
                    break;
                case KeyChanged changed:
                    _board.Publish(new StoreKeyChanged(Context.System.Scheduler.Now, changed.Path.Value, changed.Op == StoreOp.Remove, changed.KeyVersion, changed.Writer));
                    break;
                case StateReplaced replaced:
                    _log.Information("Store replaced by node {Source}'s copy: version {Version}, epoch {Epoch}", replaced.Source, replaced.Version, replaced.Epoch);
                    _board.Publish(new StoreStateReplaced(Context.System.Scheduler.Now, replaced.Version, replaced.Epoch, replaced.Source));
                    break;
                case StoreLog log:
                    _log.Write(TokenHolder.LevelOf(log.Level), log.Template, log.Args);
                    break;
            }
        }
    }

    protected override void PostStop()
    {
        // A restart or the node's stop: the engine and what it was waiting for are gone.
        foreach (var id in _askers.Keys.ToList())
            Answer(id, StoreWriteResult.Refused(StoreErrorKind.OutcomeUnknown, "the store stopped before the write's outcome was known; it may or may not have been applied"));
        base.PostStop();
    }

    private void Answer(ulong requestId, StoreWriteResult result)
    {
        if (!_askers.Remove(requestId, out var asker)) return;
        Timers.Cancel(requestId);
        if (!asker.IsNobody() && !asker.Equals(Context.System.DeadLetters)) asker.Tell(result);
    }
}
