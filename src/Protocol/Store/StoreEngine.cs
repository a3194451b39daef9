using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Store;

/// <summary>
/// The replicated configuration store (issue 16; Proxmox's pmxcfs in corosync terms) as a pure state machine: a tree
/// of small values replicated through the ring's agreed order, writable only with quorum, synchronized as a service
/// of <see cref="Sync.ServiceSync"/> after every membership change. No I/O and no clock: client requests, votequorum's
/// verdict, the ring's configurations and deliveries and the sync's callbacks come in through <see cref="Handle"/>;
/// messages to multicast, answers, change events and snapshots to persist come out.
/// <para>
/// Writes: a quorate, synchronized member multicasts a client's write; every member applies each write where the ring
/// delivers it, in agreed order, whatever its own verdict then (the writer's was checked), so members holding the same
/// state apply the same writes to it. The writer answers when its own write comes back: at once when delivered in the
/// regular configuration, once a token rotation shows every member delivered it too; a write delivered during recovery (a transitional configuration) is answered after the next
/// sync, applied only if this node kept its state and the new ring is quorate, else with an unknown outcome. A write
/// that reaches a later ring than it was sent in is discarded by every member (and answered "not applied").
/// </para>
/// <para>
/// Sync (in service-id order after votequorum, so the ring's verdict is known): each member multicasts a
/// <see cref="StoreSummary"/>; once all are in, every member decides by <see cref="StoreSyncRule"/>; the source
/// multicasts its encoded state in chunks when some member's contents differ, before its barrier; at activation the
/// members behind install it, and a quorate ring becomes the state's epoch. Writes are refused until that activation.
/// </para>
/// </summary>
public sealed class StoreEngine
{
    private sealed record PendingWrite(RingId Ring, StorePath Path);

    // A write of this node applied here whose answer is held back: until a token rotation (settling), or, delivered in a
    // transitional configuration or still settling at a membership change, until the next sync, where its local outcome
    // stands only if this node's state survives that sync into a quorate ring.
    private sealed record HeldAnswer(ulong RequestId, StorePath Path, StoreApplyResult Result);

    private sealed class Round(RingId ring, ValueList<NodeId> members)
    {
        public RingId Ring { get; } = ring;
        public ValueList<NodeId> Members { get; } = members;
        public Dictionary<NodeId, StoreSummary> Summaries { get; } = new();
        public bool Processing { get; set; }
        public StoreSyncDecision? Decision { get; set; }
        public List<ValueList<byte>> Chunks { get; } = new();
        public uint? ChunkCount { get; set; }
        public StoreState? Incoming { get; set; }
    }

    private readonly NodeId _local;
    private readonly List<StoreOutput> _out = new();
    private readonly Dictionary<ulong, PendingWrite> _pending = new();
    private readonly List<HeldAnswer> _unsure = new();
    // Writes of this node applied in the regular configuration, waiting for the token rotation that shows every member
    // delivered them; the first _settlingAsked of them are covered by the AwaitTokenRotation given out.
    private readonly List<HeldAnswer> _settling = new();
    private int _settlingAsked;
    private StoreState _state;
    private bool _quorate;
    private RingId? _verdictRing;
    private RingId? _ring;
    private RingId? _synchronizedRing;
    private bool _transitional;
    private Round? _round;

    /// <param name="snapshot">The state kept on disk by an earlier run (<see cref="PersistSnapshot"/>), or null for an empty store.</param>
    public StoreEngine(NodeId local, StoreState? snapshot = null)
    {
        _local = local;
        _state = snapshot ?? StoreState.Empty;
    }

    public StoreState State => _state;

    /// <summary>votequorum called this node quorate in the current ring.</summary>
    public bool Quorate => _quorate && _verdictRing == _ring;

    /// <summary>The store was synchronized in the current membership and no membership change is in progress.</summary>
    public bool Synchronized => _ring is not null && _synchronizedRing == _ring && !_transitional;

    /// <summary>Why a write asked of this node now is refused at once, or null when it would be multicast.</summary>
    public StoreFailure? WriteRefusal =>
        !Quorate ? new StoreFailure(StoreErrorKind.NoQuorum, "cluster not ready - no quorum?")
        : !Synchronized ? new StoreFailure(StoreErrorKind.NotSynchronized, "cluster not ready - the store is synchronizing after a membership change, try again")
        : null;

    public StoreRead<StoreEntry?> Get(StorePath path) => Read(_state.Get(path));

    /// <summary>The names below <paramref name="directory"/> (empty when it is not a directory).</summary>
    public StoreRead<IReadOnlyList<StoreChild>> List(StorePath directory) => Read(_state.Children(directory));

    public IReadOnlyList<StoreOutput> Handle(StoreInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        switch (input)
        {
            case WriteRequested request: OnWriteRequested(request); break;
            case QuorumVerdictChanged verdict:
                _quorate = verdict.Quorate;
                _verdictRing = verdict.Ring;
                break;
            case TransitionalConfiguration: OnTransitional(); break;
            case StoreSyncInit init: OnSyncInit(init); break;
            case StoreSyncProcess process: OnSyncProcess(process); break;
            case StoreSyncActivate activate: OnSyncActivate(activate); break;
            case StoreSyncAbort: DropRound("aborted by a membership change"); break;
            case TokenRotated rotated: OnTokenRotated(rotated); break;
            case StoreMessageDelivered { Message: StoreWrite write } delivered: OnWrite(delivered.Sender, write); break;
            case StoreMessageDelivered { Message: StoreSummary summary } delivered: OnSummary(delivered.Sender, summary); break;
            case StoreMessageDelivered { Message: StoreStateChunk chunk } delivered: OnChunk(delivered.Sender, chunk); break;
            default: throw new ArgumentException($"unknown store input {input.GetType().Name}", nameof(input));
        }
        var taken = _out.ToList();
        _out.Clear();
        return taken;
    }

    private StoreRead<T> Read<T>(T value) => new(value, _state.Version, Quorate, Synchronized);

    private void OnWriteRequested(WriteRequested request)
    {
        if (!StorePath.TryParse(request.Path, out var path, out var pathError))
        {
            Fail(request.RequestId, StoreErrorKind.InvalidRequest, pathError);
            return;
        }
        var problem =
            path.IsRoot ? "the root '/' is a directory and holds no value"
            : request.Value.Count > StoreLimits.MaxValueBytes ? $"the value of '{path}' is {request.Value.Count} bytes, the limit is {StoreLimits.MaxValueBytes}"
            : request.Op == StoreOp.Remove && request.Value.Count > 0 ? $"a remove of '{path}' carries no value ({request.Value.Count} bytes given)"
            : !Enum.IsDefined(request.Op) ? $"unknown write operation {(byte)request.Op}"
            : _pending.ContainsKey(request.RequestId) ? $"request id {request.RequestId} is already waiting for its write"
            : null;
        if (problem is not null)
        {
            Fail(request.RequestId, StoreErrorKind.InvalidRequest, problem);
            return;
        }
        // What is wrong with the request is said first: it stays wrong whatever the cluster does.
        if (WriteRefusal is { } refusal)
        {
            Fail(request.RequestId, refusal.Kind, refusal.Reason);
            return;
        }
        var ring = _ring!.Value;
        _pending[request.RequestId] = new PendingWrite(ring, path);
        _out.Add(new MulticastStore(new StoreWrite(ring, request.RequestId, request.Op, path, request.ExpectedVersion, request.Value)));
    }

    private void OnTransitional()
    {
        _transitional = true;
        Unsettle();
        // A transitional configuration ends the ring's sync, whichever phase it was in.
        DropRound("overtaken by a transitional configuration");
    }

    private void OnSyncInit(StoreSyncInit init)
    {
        if (!init.Members.Contains(_local))
            throw new ArgumentException($"regular configuration {init.Ring} does not include the local node {_local}", nameof(init));
        DropRound("overtaken by a new configuration");
        // The stream gives a transitional configuration first; should it not have, the old ring's writes still wait.
        Unsettle();
        _ring = init.Ring;
        _transitional = false;
        _round = new Round(init.Ring, init.Members);
        // A write of an older ring that was not delivered by now never will be in its ring; if it sits in a send queue
        // it reaches this ring, where every member discards it.
        foreach (var (id, pending) in _pending.Where(p => p.Value.Ring != init.Ring).ToList())
        {
            _pending.Remove(id);
            Fail(id, StoreErrorKind.NotApplied, $"the membership changed before the write of '{pending.Path}' was ordered; it was not applied");
        }
    }

    private void OnSyncProcess(StoreSyncProcess process)
    {
        if (_round is null || _round.Ring != process.Ring || _round.Processing) return;
        _round.Processing = true;
        Multicast(new StoreSummary(process.Ring, _state.Version, _state.Epoch, Quorate, _state.Digest.ToArray().ToValueList()));
    }

    private void OnSummary(NodeId sender, StoreSummary summary)
    {
        if (!Current(summary, "summary")) return;
        var round = _round!;
        Check(round.Members.Contains(sender), $"a store summary of ring {summary.Ring} came from {sender}, not a member");
        Check(round.Summaries.TryAdd(sender, summary), $"node {sender} sent two store summaries in ring {summary.Ring}");
        if (round.Summaries.Count < round.Members.Count) return;

        // Our own summary is among them, so the process phase was asked of us before this.
        Check(round.Processing, $"every store summary of ring {round.Ring} arrived before this node sent its own");
        var decision = StoreSyncRule.Decide(round.Summaries);
        round.Decision = decision;
        Log(SrpLogLevel.Debug, "Store sync of ring {RingId}: state of node {Source} wins (version {Version}, epoch {Epoch}), {Behind} member(s) behind",
            round.Ring, decision.Source, decision.Winner.Version, decision.Winner.Epoch, decision.Behind.Count);
        if (decision.Source == _local && decision.Behind.Count > 0) SendState(round.Ring);
        _out.Add(new StoreSyncProcessed(round.Ring));
    }

    private void SendState(RingId ring)
    {
        var encoded = StoreStateCodec.Encode(_state);
        var count = Math.Max(1, (encoded.Length + StoreLimits.MaxChunkBytes - 1) / StoreLimits.MaxChunkBytes);
        if (count > StoreLimits.MaxChunks)
            throw new InvalidOperationException($"the store's state is {encoded.Length} bytes, more than {StoreLimits.MaxChunks} chunks of {StoreLimits.MaxChunkBytes}");
        for (var i = 0; i < count; i++)
        {
            var start = i * StoreLimits.MaxChunkBytes;
            var data = encoded.AsSpan(start, Math.Min(StoreLimits.MaxChunkBytes, encoded.Length - start)).ToArray();
            Multicast(new StoreStateChunk(ring, (uint)i, (uint)count, data.ToValueList()));
        }
        Log(SrpLogLevel.Debug, "Sending the store's state of ring {RingId}: {Bytes} bytes in {Chunks} chunk(s)", ring, encoded.Length, count);
    }

    private void OnChunk(NodeId sender, StoreStateChunk chunk)
    {
        if (!Current(chunk, "state chunk")) return;
        var round = _round!;
        var decision = round.Decision;
        Check(decision is not null, $"a store state chunk of ring {chunk.Ring} arrived before every member's summary");
        Check(sender == decision!.Source, $"a store state chunk of ring {chunk.Ring} came from {sender}, the source is {decision.Source}");
        Check(chunk.Index == round.Chunks.Count && (round.ChunkCount ?? chunk.Count) == chunk.Count,
            $"store state chunk {chunk.Index} of {chunk.Count} of ring {chunk.Ring} arrived after {round.Chunks.Count} chunk(s) of {round.ChunkCount}");
        round.ChunkCount = chunk.Count;
        round.Chunks.Add(chunk.Data);
        if (round.Chunks.Count < chunk.Count) return;

        var bytes = new byte[round.Chunks.Sum(c => c.Count)];
        var at = 0;
        foreach (var data in round.Chunks)
        {
            data.Items.AsSpan().CopyTo(bytes.AsSpan(at));
            at += data.Count;
        }
        StoreState incoming;
        try
        {
            incoming = StoreStateCodec.Decode(bytes);
        }
        catch (FormatException error)
        {
            throw new InvariantViolation(nameof(StoreEngine), $"the state node {sender} sent in ring {chunk.Ring} does not decode: {error.Message}");
        }
        Check(incoming.Version == decision.Winner.Version && incoming.Epoch == decision.Winner.Epoch && incoming.Digest.SequenceEqual(decision.Winner.Digest.Items.AsSpan()),
            $"the state node {sender} sent in ring {chunk.Ring} is not the one its summary announced");
        round.Incoming = incoming;
    }

    private void OnSyncActivate(StoreSyncActivate activate)
    {
        if (_round is null || _round.Ring != activate.Ring) return;
        var round = _round;
        var decision = round.Decision;
        Check(decision is not null, $"the store of ring {round.Ring} was activated before every member's summary arrived");
        var epochBefore = _state.Epoch;
        var replaced = decision!.Behind.Contains(_local);
        if (replaced)
        {
            Check(round.Incoming is not null, $"the store of ring {round.Ring} was activated before the state from node {decision.Source} arrived");
            _state = round.Incoming!;
            _out.Add(new StateReplaced(_state.Version, _state.Epoch, decision.Source));
        }
        var epoch = decision.Winner.Epoch;
        if (decision.Quorate)
        {
            if (StoreSyncRule.IsLater(round.Ring, epoch)) epoch = round.Ring;
            else if (round.Ring != epoch)
                Log(SrpLogLevel.Warning, "Quorate ring {RingId} is not later than the store's epoch {Epoch}: was a ring seq lost across a restart?", round.Ring, epoch);
        }
        var before = _state;
        _state = _state.WithEpoch(epoch);
        Check(_state.Version == decision.Winner.Version && _state.Digest.SequenceEqual(decision.Winner.Digest.Items.AsSpan()),
            $"after the store sync of ring {round.Ring} this node's state differs from the winner's");
        // The winner's epoch is the greatest among the members', this node's included.
        Check(!StoreSyncRule.IsLater(epochBefore, _state.Epoch),
            $"the store sync of ring {round.Ring} moved this node's epoch back from {epochBefore} to {_state.Epoch}");
        if (replaced || !ReferenceEquals(before, _state)) _out.Add(new PersistSnapshot(_state));

        foreach (var unsure in _unsure)
        {
            if (!replaced && decision.Quorate) Answer(unsure.RequestId, unsure.Path, unsure.Result);
            else Fail(unsure.RequestId, StoreErrorKind.OutcomeUnknown,
                $"the write of '{unsure.Path}' was delivered while the membership changed and the quorate side's state may not hold it; read the key to see");
        }
        _unsure.Clear();

        _synchronizedRing = round.Ring;
        _round = null;
        Log(SrpLogLevel.Notice, "Store synchronized in ring {RingId}: version {Version}, epoch {Epoch}, {Quorate}{Source}",
            round.Ring, _state.Version, _state.Epoch, decision.Quorate ? "quorate" : "not quorate",
            replaced ? $", state received from node {decision.Source}" : "");
    }

    private void OnWrite(NodeId sender, StoreWrite write)
    {
        var mine = sender == _local && _pending.TryGetValue(write.RequestId, out var pending) && pending.Ring == write.Ring;
        if (mine) _pending.Remove(write.RequestId);
        if (write.Ring != _ring)
        {
            Log(SrpLogLevel.Debug, "store write of ring {WriteRing} delivered in ring {RingId} - discarding", write.Ring, _ring);
            if (mine) Fail(write.RequestId, StoreErrorKind.NotApplied, $"the membership changed before the write of '{write.Path}' was ordered; it was not applied");
            return;
        }
        if (_synchronizedRing != _ring)
        {
            // The writer sent it after its own activation, which every member passes at the same place of the order;
            // only recovery past a gap (after a transitional configuration) can deliver it to a member whose sync of
            // the ring never completed. That member's state is not the ring's: the next sync decides.
            Check(_transitional, $"a store write of ring {write.Ring} was delivered before this node synchronized the ring");
            Log(SrpLogLevel.Debug, "store write of ring {RingId} recovered before this node synchronized it - discarding", write.Ring);
            return;
        }

        // The ring is later than any epoch its members held (its seq is above every seq they saw); should a lost ring
        // seq break that, the epoch still never goes back (the sync logs the anomaly).
        var epoch = StoreSyncRule.IsLater(_state.Epoch, write.Ring) ? _state.Epoch : write.Ring;
        var result = _state.Apply(write.Op, write.Path, write.ExpectedVersion, write.Value, epoch);
        if (result.Next is { } next)
        {
            Check(next.Version == _state.Version + 1 && result.KeyVersion == next.Version,
                $"a write moved the store from version {_state.Version} to {next.Version}");
            _state = next;
            _out.Add(new KeyChanged(write.Path, write.Op, result.KeyVersion, sender));
            _out.Add(new PersistSnapshot(_state));
        }
        if (!mine) return;
        if (_transitional) _unsure.Add(new HeldAnswer(write.RequestId, write.Path, result));
        else if (result.Failure is not null) Answer(write.RequestId, write.Path, result);
        else Settle(new HeldAnswer(write.RequestId, write.Path, result));
    }

    /// <summary>
    /// The invariant enforced here: <b>a write is acknowledged only when no member of its ring can lose it</b>, i.e. when
    /// every member has delivered it in the regular configuration. Safe delivery alone says less: every member has
    /// received the write, but one that has not yet delivered it, if the ring then splits, recovers it only when the
    /// writer or a member that delivered it is in its transitional configuration (totemsrp's recovery: safe messages
    /// up to the highest any transitional member delivered, past that only those of its members). A quorate side made of
    /// such members would lose an acknowledged write. A member delivers a safe write at the first token it takes after
    /// the writer's delivery (the aru that made it safe here has passed it twice by then), so the writer's next token of
    /// the same ring shows every member delivered it: the acknowledgement waits for <see cref="TokenRotated"/>.
    /// A refusal decided in the order (conflict, not found) is answered at once: every member that delivers the write
    /// refuses it too, and one that loses it applies nothing either. A write still settling when the membership changes
    /// is answered after the next sync, as one delivered in recovery.
    /// </summary>
    private void Settle(HeldAnswer write)
    {
        _settling.Add(write);
        if (_settlingAsked == 0) AskRotation();
    }

    private void AskRotation()
    {
        _settlingAsked = _settling.Count;
        _out.Add(new AwaitTokenRotation(_ring!.Value));
    }

    private void OnTokenRotated(TokenRotated rotated)
    {
        // An answer of an older ring, or one the membership change already made moot, settles nothing.
        if (rotated.Ring != _ring || _settlingAsked == 0 || _transitional) return;
        foreach (var write in _settling.Take(_settlingAsked)) Answer(write.RequestId, write.Path, write.Result);
        _settling.RemoveRange(0, _settlingAsked);
        _settlingAsked = 0;
        // Delivered after the rotation was asked for: the token taken may have passed a member before it delivered them.
        if (_settling.Count > 0) AskRotation();
    }

    private void Unsettle()
    {
        _unsure.AddRange(_settling);
        _settling.Clear();
        _settlingAsked = 0;
    }

    private void Answer(ulong requestId, StorePath path, StoreApplyResult result)
    {
        if (result.Failure is { } failure) Fail(requestId, failure.Kind, failure.Reason);
        else _out.Add(new WriteCompleted(requestId, path, result.KeyVersion, result.Next!.Version));
    }

    private void DropRound(string why)
    {
        if (_round is null) return;
        Log(SrpLogLevel.Debug, "Store sync of ring {RingId} {Why}", _round.Ring, why);
        _round = null;
    }

    private bool Current(StoreMessage message, string kind)
    {
        if (_round is not null && message.Ring == _round.Ring) return true;
        Log(SrpLogLevel.Debug, "store " + kind + " of ring {MessageRing} outside its sync - discarding", message.Ring);
        return false;
    }

    private void Fail(ulong requestId, StoreErrorKind kind, string reason) => _out.Add(new WriteFailed(requestId, kind, reason));

    private void Multicast(StoreMessage message) => _out.Add(new MulticastStore(message));

    private void Log(SrpLogLevel level, string template, params object?[] args) => _out.Add(new StoreLog(level, template, args));

    private static void Check(bool holds, string invariant)
    {
        if (!holds) throw new InvariantViolation(nameof(StoreEngine), invariant);
    }
}
