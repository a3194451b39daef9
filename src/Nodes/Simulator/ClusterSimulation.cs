using Serilog;
using Totem.Nodes.Control;
using Totem.Nodes.Services;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Verification;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator;

/// <summary>
/// A whole cluster in one deterministic simulation: N real nodes (the same actors and engines as
/// totemd) on a simulated network, driven by a seed. Faults: loss, duplication, delay, jitter,
/// partitions, crashes and restarts. Every delivery and configuration change goes to the invariant
/// checker; a seed replays exactly.
/// </summary>
public sealed class ClusterSimulation
{
    private readonly Dictionary<NodeId, TotemNode?> _nodes = new();
    private readonly Dictionary<NodeId, ulong> _ringSeqMemory = new();
    private readonly List<CapturedLog> _logs = new();
    private readonly Dictionary<NodeId, int> _incarnations = new();
    private readonly Dictionary<NodeId, DeliveryProgress> _progress = new();
    private long _nextMessage;
    private readonly List<string> _actorFailures = new();
    private readonly Dictionary<NodeId, (SimulatedDispatcher Dispatcher, VirtualTimeScheduler Scheduler)> _paused = new();

    public ClusterSimulation(int seed, SimulationOptions options)
    {
        Seed = seed;
        Options = options;
        Simulation = new Simulation(seed) { InterleaveSameInstant = options.InterleaveSameInstant, BusyNodes = options.BusyNodes };
        Network = new SimulatedNetwork(Simulation);
        Recorder = new DeliveryRecorder(SimulatedPayload.Name, syncRecorded: true);
        foreach (var id in options.NodeIds)
        {
            Network.AddNode(id);
            _nodes[id] = null;
        }
        if (options.CaptureLogs && options.TraceMembership) Network.OnSend = TraceMembership;
    }

    private void TraceMembership(NodeId from, NodeId to, byte[] datagram)
    {
        var decoded = TotemCodec.Decode(datagram);
        if (!decoded.IsSuccess) return;
        string? text = decoded.Message switch
        {
            JoinMessage j => $"join seq {j.RingSeq} proc [{j.ProcList}] failed [{j.FailedList}]",
            LeaveMessage l => $"leave seq {l.RingSeq} proc [{l.ProcList}] failed [{l.FailedList}]",
            CommitToken c => $"commit token ring {c.RingId} index {c.MemberIndex} members [{string.Join(" ", c.Members.Select(m => $"{m.Node}:{m.OldRingId}/{m.Aru:x}"))}]",
            MergeDetect m => $"merge detect ring {m.RingId}",
            _ => null,
        };
        if (text is not null) _logs.Add(new CapturedLog(Now, from, "Trace", "NET", $"-> {to}: {text}"));
    }

    public int Seed { get; }
    public SimulationOptions Options { get; }
    public Simulation Simulation { get; }
    public SimulatedNetwork Network { get; }
    public DeliveryRecorder Recorder { get; }
    public IReadOnlyList<CapturedLog> Logs => _logs;
    public TimeSpan Now => Simulation.Elapsed;

    /// <summary>SHA-256 over the run's ordered event trace so far (see <see cref="Simulation.TraceHash"/>).</summary>
    public string TraceHash => Simulation.TraceHash;

    /// <summary>Fences seen so far: (node, virtual time).</summary>
    public List<(NodeId Node, TimeSpan At)> Fences { get; } = new();

    /// <summary>Every configuration change any node delivered, with its virtual time (timing measurements read it).</summary>
    public List<(NodeId Node, TimeSpan At, ConfigurationChanged Change)> Configurations { get; } = new();

    /// <summary>Nodes whose clean shutdown was requested and has not completed yet.</summary>
    public IReadOnlyCollection<NodeId> Leaving => _leaving;
    private readonly HashSet<NodeId> _leaving = new();

    public IEnumerable<NodeId> NodeIds => _nodes.Keys;
    public IEnumerable<NodeId> LiveNodes => _nodes.Where(n => n.Value is not null).Select(n => n.Key);
    public bool IsUp(NodeId node) => _nodes.TryGetValue(node, out var n) && n is not null;
    public TotemNode Node(NodeId node) => _nodes[node] ?? throw new InvalidOperationException($"node {node} is down");

    public void StartAll()
    {
        foreach (var id in _nodes.Keys.ToList()) Start(id);
    }

    public void Start(NodeId id)
    {
        if (_nodes[id] is not null) throw new InvalidOperationException($"node {id} is already running");
        var nodeNumber = _incarnations[id] = _incarnations.GetValueOrDefault(id) + 1;
        var logger = Options.CaptureLogs
            ? new LoggerConfiguration().MinimumLevel.Is(Options.CaptureLevel)
                // Debug lines without a subsystem (not the protocol's) would drown the protocol's lines.
                .Filter.ByExcluding(e => e.Level == Serilog.Events.LogEventLevel.Debug && !e.Properties.ContainsKey(LogSubsystem.Property))
                .WriteTo.Sink(new CaptureSink(Simulation, id, _logs)).CreateLogger()
            : (ILogger)Serilog.Core.Logger.None;
        var faults = new FaultShaper(Simulation.Random.NextDouble);
        var transport = CreateTransport(id, faults, logger);
        var system = Simulation.CreateSystem($"node{id}-{nodeNumber}");
        if (nodeNumber > 1) Recorder.RecordRestart(id);
        // A new incarnation owes nothing for what an earlier one submitted (the checker judges the last one).
        _progress[id] = new DeliveryProgress();
        TotemNode? node = null;
        node = TotemNode.Start(NodeOptionsFor(id), new NodeEnvironment(system, transport, logger)
        {
            Faults = faults,
            NextRandom = Simulation.Random.NextDouble,
            ProtocolOutput = output => Record(id, output),
            ServiceSyncCompleted = ring => Recorder.RecordSyncCompleted(id, ring),
            OnExit = exit => OnExit(id, node!, exit),
            OnActorFailure = (actor, error) => _actorFailures.Add($"node {id} failed: {error.GetType().Name} in {actor}: {error.Message}"),
            ReadConfig = Options.ConfigFile is { } file ? () => ReadConfig(id, file) : null,
            Store = Options.Store ? StoreDisk(id) : null,
        });
        _nodes[id] = node;
    }

    /// <summary>Every link event of every node (link up or down, a host's links changed), with its virtual time.</summary>
    public List<(NodeId Node, TimeSpan At, Protocol.Links.LinkOutput Event)> LinkEvents { get; } = new();

    /// <summary>
    /// One link: the network's transport, bare datagrams as before links existed. Several: a transport per link under
    /// the link layer, its heartbeat on virtual time, its boot epoch the virtual instant it starts (later for every
    /// restart, so peers restart their duplicate filter).
    /// </summary>
    private IDatagramTransport CreateTransport(NodeId id, FaultShaper faults, ILogger logger)
    {
        if (Options.LinkNumbers.Count <= 1) return Network.CreateTransport(id, Options.LinkNumbers.FirstOrDefault(), faults);
        var table = new Protocol.Links.LinkTable(id, Protocol.Links.LinkModes.Parse(Options.Totem.LinkMode), Options.Links);
        var links = Options.LinkNumbers.ToDictionary(l => l, l => (IDatagramTransport)Network.CreateTransport(id, l, faults));
        return new LinkedTransport(table, links, Options.NodeIds, new SimulationLinkTimer(Simulation), (ulong)Now.Ticks + 1, logger)
        {
            OnLinkEvent = (at, e) =>
            {
                if (e is not Protocol.Links.PingDue) LinkEvents.Add((id, at, e));
            },
        };
    }

    private readonly Dictionary<NodeId, StoreHosting> _storeDisks = new();

    /// <summary>A node's store "disk": what it kept survives its crash and restart, as --state-dir does.</summary>
    public StoreHosting StoreDisk(NodeId id)
    {
        if (!_storeDisks.TryGetValue(id, out var disk)) _storeDisks[id] = disk = new StoreHosting();
        return disk;
    }

    private static ConfigLoadResult ReadConfig(NodeId id, Func<NodeId, string> file) =>
        ClusterConfigParser.Parse(file(id), $"node{id}.conf", _ => null);

    private NodeOptions NodeOptionsFor(NodeId id)
    {
        var config = Options.ConfigFile is { } file ? ReadConfig(id, file) : null;
        if (config is { IsValid: false }) throw new InvalidOperationException($"node {id}'s config file is invalid: {string.Join("; ", config.Errors)}");
        var timeouts = config?.Config is { } loaded ? loaded.Timeouts(Options.NodeCount) : Options.Timeouts;
        var nodelist = Options.NodeIds
            .Select((n, i) => new NodeEntry(n, $"node{n}", $"sim:{n}", Options.Votes.GetValueOrDefault(n, 1u), i + 1))
            .ToList();
        return new NodeOptions(id, "simulation", timeouts, Options.Quorum, nodelist, Options.Fencing)
        {
            Config = config?.Config,
            InitialRingSeq = _ringSeqMemory.GetValueOrDefault(id),
            // The checker reads every node's whole log: nothing may be dropped in a run.
            DeliveredLog = new DeliveredLogLimits(int.MaxValue, long.MaxValue),
        };
    }

    /// <summary>How often a node detected a pause of its own and flushed its membership messages.</summary>
    public long PausesDetected { get; private set; }

    /// <summary>Told of every engine output of every node as it happens (the what-if run's token and quorum watch).</summary>
    public Action<NodeId, SrpOutput>? OnProtocolOutput { get; set; }

    private void Record(NodeId id, SrpOutput output)
    {
        OnProtocolOutput?.Invoke(id, output);
        if (_progress.TryGetValue(id, out var progress)) progress.Observe(id, output);
        switch (output)
        {
            case FlushMembershipMessages:
                PausesDetected++;
                return;
            case Delivered d when ServiceFrame.TryUnwrap(d.Payload, out var service, out _) && service != ServiceId.Application:
                return;
            case ConfigurationChanged change:
                Configurations.Add((id, Now, change));
                Recorder.Record(id, output);
                return;
            case RingSeqObserved seen:
                _ringSeqMemory[id] = Math.Max(_ringSeqMemory.GetValueOrDefault(id), seen.RingSeq);
                return;
            default:
                Recorder.Record(id, output);
                return;
        }
    }

    private void OnExit(NodeId id, TotemNode node, NodeExit exit)
    {
        if (!ReferenceEquals(_nodes.GetValueOrDefault(id), node)) return;
        _nodes[id] = null;
        _leaving.Remove(id);
        _progress.Remove(id);
        Recorder.RecordCrash(id);
        if (exit.Reason == NodeExitReason.Fenced)
        {
            Fences.Add((id, Now));
            Simulation.Schedule(Options.BootDelay, () =>
            {
                if (_nodes[id] is null) Start(id);
            }, $"reboot node {id}");
        }
    }

    /// <summary>
    /// The node stops at once, sending nothing more (kill -9, power loss): its actor system is terminated and, when
    /// called between runs, pumped until its actors have stopped (without moving the clock).
    /// </summary>
    public void Crash(NodeId id)
    {
        Resume(id); // kill -9 ends a stopped process too
        Node(id).Crash();
        Simulation.Pump();
    }

    /// <summary>
    /// The node's process is not scheduled for <paramref name="duration"/> (SIGSTOP then SIGCONT, a long GC, VM steal):
    /// its actors and timers stop and the datagrams sent to it queue at it; then it runs on with what piled up.
    /// </summary>
    public void Pause(NodeId id, TimeSpan duration)
    {
        var node = Node(id);
        if (_paused.ContainsKey(id)) throw new InvalidOperationException($"node {id} is already paused");
        if (node.System.Dispatchers.DefaultGlobalDispatcher is not SimulatedDispatcher dispatcher || node.System.Scheduler is not VirtualTimeScheduler scheduler)
            throw new InvalidOperationException($"node {id} does not run on the simulated dispatcher and scheduler");
        dispatcher.Pause();
        scheduler.Pause();
        _paused[id] = (dispatcher, scheduler);
        Simulation.Schedule(duration, () =>
        {
            if (IsUp(id) && ReferenceEquals(Node(id), node)) Resume(id);
        }, $"resume node {id}");
    }

    public bool IsPaused(NodeId id) => _paused.ContainsKey(id);

    private void Resume(NodeId id)
    {
        if (!_paused.Remove(id, out var paused)) return;
        paused.Dispatcher.Resume();
        paused.Scheduler.Resume();
    }

    /// <summary>The node shuts down cleanly: it sends a leave first.</summary>
    public void Shutdown(NodeId id)
    {
        var node = Node(id);
        Resume(id);
        _leaving.Add(id);
        _ = node.LeaveAndStopAsync(CancellationToken.None);
    }

    /// <summary>
    /// Submits a uniquely numbered application message at a live node, padded to <paramref name="size"/> bytes when it is
    /// longer than its name (so it is packed, or fragmented across frames); returns its name.
    /// </summary>
    public string Submit(NodeId id, int size = 0)
    {
        var text = $"m{_nextMessage++}@{id}";
        var body = SimulatedPayload.Make(text, size);
        var payload = ServiceFrame.Wrap(ServiceId.Application, body);
        Recorder.RecordSubmitted(id, payload);
        _progress[id].Outstanding.Add(payload);
        Node(id).Post(body);
        return text;
    }

    public void RunFor(TimeSpan duration) => Simulation.RunFor(duration);

    public bool RunUntil(Func<bool> predicate, TimeSpan timeout) => Simulation.RunUntil(predicate, timeout);

    /// <summary>True when every live node is operational in the same ring whose members are exactly the live nodes.</summary>
    public bool OneRingOfLiveNodes()
    {
        var live = LiveNodes.OrderBy(n => n).ToList();
        if (live.Count == 0) return false;
        RingId? ring = null;
        foreach (var id in live)
        {
            var status = Node(id).Board.Status();
            if (status.State != SrpState.Operational || !status.Members.SequenceEqual(live)) return false;
            if (ring is null) ring = status.RingId;
            else if (ring != status.RingId) return false;
        }
        return true;
    }

    /// <summary>
    /// Runs the simulation until every live node is operational in one ring of exactly the live nodes, checking
    /// every <paramref name="poll"/> of virtual time; returns the virtual time it was first seen, or null.
    /// </summary>
    public TimeSpan? RunUntilOneRing(TimeSpan timeout, TimeSpan? poll = null) =>
        RunUntilPolled(OneRingOfLiveNodes, timeout, poll);

    /// <summary>Like <see cref="RunUntil"/>, but evaluates an expensive predicate only every <paramref name="poll"/> of virtual time.</summary>
    public TimeSpan? RunUntilPolled(Func<bool> predicate, TimeSpan timeout, TimeSpan? poll = null)
    {
        var step = poll ?? TimeSpan.FromMilliseconds(10);
        var deadline = Now + timeout;
        while (true)
        {
            if (predicate()) return Now;
            if (Now >= deadline) return null;
            RunFor(step < deadline - Now ? step : deadline - Now);
        }
    }

    /// <summary>True when no live node has submitted messages still waiting for the token.</summary>
    public bool QueuesDrained() => LiveNodes.All(id => Node(id).Board.Metrics().PendingMessages == 0);

    /// <summary>
    /// True when every live node has delivered every message it submitted and the live nodes of each ring have
    /// delivered the same prefix of it (the same last seq): the state the liveness check judges at the end of a
    /// run. Agreed delivery has no holes, so the same last seq in the same ring means the same messages.
    /// </summary>
    public bool DeliveriesSettled()
    {
        var lastByRing = new Dictionary<RingId, uint?>();
        foreach (var id in LiveNodes)
        {
            if (!_progress.TryGetValue(id, out var progress) || progress.Outstanding.Count > 0) return false;
            if (progress.Ring is not { } ring) continue;
            if (lastByRing.TryGetValue(ring, out var last) && last != progress.LastSeq) return false;
            lastByRing[ring] = progress.LastSeq;
        }
        return true;
    }

    /// <summary>Where each live node's delivery stands, for a report: ring, last delivered seq, own messages not yet delivered.</summary>
    public string DeliverySummary() => string.Join("; ", LiveNodes.Order().Select(id =>
        _progress.TryGetValue(id, out var p)
            ? $"node {id}: ring {(p.Ring is { } r ? r.ToString() : "none")} delivered up to {(p.LastSeq is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "nothing")}, {p.Outstanding.Count} own message(s) undelivered"
            : $"node {id}: nothing recorded"));

    /// <summary>Nodes that are up and consider themselves quorate.</summary>
    public IReadOnlyList<NodeId> QuorateNodes() => LiveNodes.Where(n => Node(n).Board.Status().Quorum.Quorate).OrderBy(n => n).ToList();

    /// <summary>
    /// Every invariant violation of the run so far, plus every actor failure (an exception in the protocol is a bug:
    /// the supervisors restart the actor as in production, and the simulation reports it so that it cannot hide
    /// behind the restart), plus any work that reached the simulation from another thread.
    /// </summary>
    public IReadOnlyList<string> CheckInvariants(bool livenessExpected)
    {
        var problems = new List<string>(_actorFailures);
        if (Simulation.ForeignWork > 0) problems.Add($"determinism: {Simulation.ForeignWork} piece(s) of work reached the simulation from another thread");
        problems.AddRange(Recorder.Check(livenessExpected));
        return problems;
    }

    /// <summary>How to replay this run: the seed, for TOTEM_SIM_SEED.</summary>
    public override string ToString() => $"simulation seed {Seed} ({Options.NodeCount} nodes)";

    /// <summary>One incarnation's delivery state, kept from the engine's outputs as they happen (cheap to poll).</summary>
    private sealed class DeliveryProgress
    {
        public HashSet<ValueList<byte>> Outstanding { get; } = new();
        public RingId? Ring { get; private set; }
        public uint? LastSeq { get; private set; }

        public void Observe(NodeId self, SrpOutput output)
        {
            switch (output)
            {
                case Delivered delivered:
                    if (delivered.RingId != Ring) (Ring, LastSeq) = (delivered.RingId, null);
                    LastSeq = delivered.Seq;
                    if (delivered.Source == self) Outstanding.Remove(delivered.Payload);
                    break;
                case ConfigurationChanged { Kind: ConfigurationKind.Regular } regular:
                    (Ring, LastSeq) = (regular.RingId, null);
                    break;
                case SubmitRejected rejected:
                    Outstanding.Remove(rejected.Payload);
                    break;
            }
        }
    }
}
