using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;

namespace Totem.Nodes.Simulator;

/// <summary>
/// A deterministic world for many Akka.NET actor systems (one per simulated node): one thread, a virtual clock that
/// starts at <see cref="Epoch"/> and one seeded <see cref="Random"/>. Mailbox runs of every system go to one FIFO
/// (<see cref="SimulatedDispatcher"/>); timers of every system and the simulation's own actions go to one heap
/// keyed (due, seq) (<see cref="VirtualTimeScheduler"/>). The loop runs the FIFO until it is empty, then moves the
/// clock to the next due entry. The same seed replays the same run exactly, and the ordered event trace hashes to
/// the same <see cref="TraceHash"/>. Work that reaches the simulation from any other thread (outside the creation
/// of a system) is counted and fails the run.
/// </summary>
public sealed class Simulation
{
    public static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The HOCON key through which a system's dispatcher and scheduler find their simulation.</summary>
    internal const string IdKey = "totem.simulation.id";

    private static readonly ConcurrentDictionary<string, Simulation> Registry = new();

    /// <summary>
    /// simulation.conf over the node's reference.conf, merged once per process: Config objects are immutable, and a
    /// soak creates a system for every node and every restart of every seed.
    /// </summary>
    private static readonly Config SimulatedNodeConfig = NodeConfig.Simulation.WithFallback(NodeConfig.Reference);
    private static long _nextId;

    private readonly Lock _gate = new();

    /// <summary>Released for every mailbox run queued while a system is created on a helper thread: the loop then pumps it.</summary>
    private readonly SemaphoreSlim _creationWork = new(0);
    private readonly Queue<IRunnable> _ready = new();
    private readonly TimerHeap _heap = new();
    private readonly IncrementalHash _traceHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _traceBuffer = new byte[8192];
    private readonly Dictionary<Type, byte[]> _typeNames = new();
    // By reference: a cell's name is computed once. The cells of crashed systems stay here until the run ends, which is
    // cheaper than a weak table's lookup on every dispatch.
    private readonly Dictionary<ActorCell, byte[]> _cellNames = new(ReferenceEqualityComparer.Instance);
    private readonly int _loopThread;
    private int _traceLength;
    private long _sequence;
    private long _now;
    private int _depth;
    private int _creating;
    private long _foreignWork;
    private string? _firstForeignWork;
    private readonly Random _interleaving;
    private readonly Random _busyDelays;

    public Simulation(int seed)
    {
        Seed = seed;
        Random = new Random(seed);
        // A stream of its own, so a run without interleaving draws exactly what it always drew.
        _interleaving = new Random(unchecked(seed * 31 + 17));
        _busyDelays = new Random(unchecked(seed * 37 + 29));
        _loopThread = Environment.CurrentManagedThreadId;
        TimeProvider = new VirtualTimeProvider(this);
    }

    public int Seed { get; }

    /// <summary>
    /// Off (the default), the mailbox runs that are ready always go before the next timer, so every message a node's
    /// actors send each other is handled before the next datagram or timer expiry of that instant: no input ever finds
    /// a message between two actors still on its way. On, a timer due now goes first half of the time (seeded), so
    /// inputs of one instant interleave with the actors' own messages, as threads and a real network let them: the
    /// windows of the asynchronous TokenHolder/Membership handshake open. Set before the run starts.
    /// </summary>
    public bool InterleaveSameInstant { get; init; }

    /// <summary>
    /// Off (the default), a mailbox run takes no virtual time and is ready at once, so a message between two actors of
    /// a node is never in flight while a datagram or a timer's expiry arrives. On, each run of a node's actors waits a
    /// seeded <see cref="BusyNodeDelay"/> on the heap first, as a real node's work items wait for a core on a loaded
    /// machine: the asynchronous handshakes between Membership and TokenHolder are then overtaken by the network and
    /// the timers, as on a real machine. Akka's guarantees hold: a mailbox is one queue and is scheduled once at a time,
    /// so delaying its run keeps each sender's order and one run per actor. Set before the run starts.
    /// </summary>
    public bool BusyNodes { get; init; }

    /// <summary>The only source of randomness a simulated run may use.</summary>
    public Random Random { get; }

    public TimeProvider TimeProvider { get; }

    public DateTimeOffset Now => Epoch.AddTicks(Volatile.Read(ref _now));

    public TimeSpan Elapsed => new(Volatile.Read(ref _now));

    /// <summary>Mailbox runs, timers and actions executed so far.</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>Work queued from a thread other than the simulation's (outside system creation): must stay 0.</summary>
    public long ForeignWork => Interlocked.Read(ref _foreignWork);

    /// <summary>SHA-256 (lower-case hex) over the ordered event trace so far: every executed timer or action
    /// (virtual time, sequence, label) and every message dispatched to a node's actors (virtual time, receiving
    /// actor, message type).</summary>
    public string TraceHash
    {
        get
        {
            FlushTrace();
            return Convert.ToHexStringLower(_traceHash.GetCurrentHash());
        }
    }

    /// <summary>Events waiting: mailbox runs ready now plus timers and actions not yet due (cancelled ones included).</summary>
    public int PendingEvents
    {
        get
        {
            lock (_gate) return _ready.Count + _heap.Count;
        }
    }

    /// <summary>
    /// Creates one node's actor system on this simulation: every dispatcher of it on the simulation's FIFO, its
    /// scheduler on virtual time (simulation.conf over the node's reference.conf, under <paramref name="config"/>).
    /// </summary>
    public ActorSystem CreateSystem(string name, Config? config = null)
    {
        EnsureLoopThread();
        var id = $"sim-{Interlocked.Increment(ref _nextId)}";
        Registry[id] = this;
        var full = ConfigurationFactory.ParseString($"{IdKey} = \"{id}\"")
            .WithFallback(config is null ? SimulatedNodeConfig : config.WithFallback(SimulatedNodeConfig));
        // The creation's own work (the new system's guardians, and its loggers if any) runs apart from the rest and is
        // finished before the work that was ready goes on; it is neither traced nor counted.
        IRunnable[] waiting;
        lock (_gate)
        {
            waiting = _ready.ToArray();
            _ready.Clear();
        }
        ActorSystem? system = null;
        Exception? error = null;
        Interlocked.Increment(ref _creating);
        try
        {
            if (OnlyStandardOutLogger(full))
            {
                // No logger actor to wait for (Akka's own lines go straight to stdout, on the calling thread): the
                // system is created on this thread, then its guardians' work is pumped. Nothing runs elsewhere.
                try
                {
                    system = ActorSystem.Create(name, full);
                }
                catch (Exception e)
                {
                    error = e;
                }
                while (TryTakeReady(out var run)) RunUncounted(run);
            }
            else
            {
                system = CreateOnHelperThread(name, full, out error);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _creating);
            Registry.TryRemove(id, out _);
            lock (_gate)
            {
                var after = _ready.ToArray();
                _ready.Clear();
                foreach (var run in waiting) _ready.Enqueue(run);
                foreach (var run in after) _ready.Enqueue(run);
            }
        }
        if (error is not null) throw new InvalidOperationException($"could not create actor system {name}: {error.Message}", error);
        return system!;
    }

    private static bool OnlyStandardOutLogger(Config config) =>
        config.GetStringList("akka.loggers").All(l => l.StartsWith("Akka.Event.StandardOutLogger", StringComparison.Ordinal));

    /// <summary>
    /// ActorSystem.Create waits for its logger actors, which run on this simulation: so it runs on a helper thread
    /// while this thread pumps the creation's work (trap 2 of the notes: called here it would stall 5 s).
    /// </summary>
    private ActorSystem? CreateOnHelperThread(string name, Config full, out Exception? error)
    {
        ActorSystem? system = null;
        Exception? failure = null;
        var done = false;
        var helper = new Thread(() =>
        {
            try
            {
                system = ActorSystem.Create(name, full);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                Volatile.Write(ref done, true);
                _creationWork.Release();
            }
        }) { IsBackground = true, Name = $"create {name}" };
        helper.Start();
        while (true)
        {
            if (TryTakeReady(out var run))
            {
                RunUncounted(run);
                continue;
            }
            if (Volatile.Read(ref done)) break;
            _creationWork.Wait(5);
        }
        while (TryTakeReady(out var rest)) RunUncounted(rest);
        error = failure;
        return system;
    }

    private void RunUncounted(IRunnable run)
    {
        _depth++;
        try
        {
            run.Run();
        }
        finally
        {
            _depth--;
        }
    }

    internal static Simulation Find(Config config)
    {
        var id = config.GetString(IdKey, null);
        if (id is null || !Registry.TryGetValue(id, out var simulation))
            throw new ConfigurationException($"{IdKey} does not name a running simulation: the simulated dispatcher and scheduler only run inside Simulation.CreateSystem");
        return simulation;
    }

    /// <summary>Runs <paramref name="action"/> after <paramref name="delay"/> of virtual time.</summary>
    public void Schedule(TimeSpan delay, Action action, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        AddTimer(delay, new ActionEntry(action, label));
    }

    /// <summary>Runs every event due within <paramref name="duration"/>, then leaves the clock at its end.</summary>
    public void RunFor(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var deadline = After(duration);
        Enter();
        try
        {
            while (Step(deadline))
            {
            }
            Volatile.Write(ref _now, deadline);
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>
    /// Runs events until <paramref name="predicate"/> holds (checked before each event) and returns true; or returns
    /// false with the clock at exactly now + <paramref name="timeout"/> when it never held by then.
    /// </summary>
    public bool RunUntil(Func<bool> predicate, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var deadline = After(timeout);
        Enter();
        try
        {
            while (!predicate())
            {
                if (!Step(deadline))
                {
                    Volatile.Write(ref _now, deadline);
                    return predicate();
                }
            }
            return true;
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Runs until no event is left (true) or <paramref name="timeout"/> of virtual time has passed (false).</summary>
    public bool RunUntilIdle(TimeSpan timeout) => RunUntil(() => PendingEvents == 0, timeout);

    /// <summary>
    /// Runs the mailbox runs that are ready now, without moving the clock: what a crash needs so that the crashed
    /// system has stopped before the script goes on. Inside an event it does nothing (the loop goes on anyway).
    /// </summary>
    public void Pump()
    {
        if (_depth > 0) return;
        Enter();
        try
        {
            while (TryTakeReady(out var run)) Execute(run);
        }
        finally
        {
            Leave();
        }
    }

    private void Enter()
    {
        EnsureLoopThread();
        if (_depth++ > 0)
        {
            _depth--;
            throw new InvalidOperationException("The simulation is already running: Run* cannot be called from inside an event.");
        }
    }

    private void Leave()
    {
        _depth--;
        if (ForeignWork > 0)
            throw new InvalidOperationException($"determinism: {ForeignWork} piece(s) of work reached the simulation from another thread (first: {_firstForeignWork})");
    }

    private void EnsureLoopThread()
    {
        if (Environment.CurrentManagedThreadId != _loopThread)
            throw new InvalidOperationException("A simulation runs only on the thread that created it.");
    }

    /// <summary>One event: a ready mailbox run, else the next timer due by <paramref name="deadline"/>. False when there is none.</summary>
    private bool Step(long deadline)
    {
        if (!(InterleaveSameInstant && TimerDueNowGoesFirst()) && TryTakeReady(out var run))
        {
            Execute(run);
            return true;
        }
        TimerEntry? entry;
        long due, seq;
        lock (_gate)
        {
            if (!_heap.TryPeek(out due, out _) || due > deadline) return false;
            _heap.Pop(out due, out seq, out entry);
        }
        if (due > _now) Volatile.Write(ref _now, due);
        if (!entry.IsLive) return true;
        Trace(due, seq, 1, entry.Label);
        EventsProcessed++;
        entry.Fire(this);
        return true;
    }

    private bool TimerDueNowGoesFirst()
    {
        lock (_gate)
            return _ready.Count > 0 && _heap.TryPeek(out var due, out _) && due <= _now && _interleaving.Next(2) == 0;
    }

    private bool TryTakeReady(out IRunnable run)
    {
        lock (_gate) return _ready.TryDequeue(out run!);
    }

    private void Execute(IRunnable run)
    {
        EventsProcessed++;
        _depth++;
        try
        {
            run.Run();
        }
        finally
        {
            _depth--;
        }
    }

    // ---- called by the dispatcher and the scheduler ----

    /// <summary>
    /// A dispatcher's mailbox run: ready now, or with <see cref="BusyNodes"/> due after a seeded wait (drawn from a stream
    /// of its own, so the network's and the scenario's draws do not shift). The creation of a system is pumped apart
    /// from the heap (see <see cref="CreateSystem"/>), so its work is never delayed.
    /// </summary>
    internal void ExecuteMailboxRun(SimulatedDispatcher dispatcher, IRunnable run)
    {
        if (!BusyNodes || Volatile.Read(ref _creating) > 0 || !dispatcher.Delays)
        {
            EnqueueReady(run);
            return;
        }
        var delay = BusyNodeDelay.Draw(_busyDelays);
        if (delay == TimeSpan.Zero) EnqueueReady(run);
        else AddTimer(delay, dispatcher.Delayed(run));
    }

    internal void EnqueueReady(IRunnable run)
    {
        CheckThread(run);
        lock (_gate) _ready.Enqueue(run);
        if (Volatile.Read(ref _creating) > 0) _creationWork.Release();
    }

    internal void AddTimer(TimeSpan delay, TimerEntry entry)
    {
        CheckThread(entry);
        lock (_gate) _heap.Push(After(delay), _sequence++, entry);
    }

    private void CheckThread(object work)
    {
        if (Environment.CurrentManagedThreadId == _loopThread || Volatile.Read(ref _creating) > 0) return;
        if (Interlocked.Increment(ref _foreignWork) == 1)
            _firstForeignWork = $"{work} on thread {Thread.CurrentThread.Name ?? Environment.CurrentManagedThreadId.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    internal long NowTicks => Volatile.Read(ref _now);

    internal bool OnLoopThread => Environment.CurrentManagedThreadId == _loopThread;

    /// <summary>The virtual instant <paramref name="delay"/> from now, saturating instead of overflowing.</summary>
    private long After(TimeSpan delay)
    {
        var now = Volatile.Read(ref _now);
        return delay.Ticks > long.MaxValue - now ? long.MaxValue : now + Math.Max(0, delay.Ticks);
    }

    // ---- the trace ----

    internal void TraceDispatch(ActorCell cell, object message)
    {
        if (Volatile.Read(ref _creating) > 0) return; // a system's creation: not part of the run's story (see CreateSystem)
        if (!_cellNames.TryGetValue(cell, out var name))
        {
            // The node's own actors only: Akka names some of its system actors from process-wide counters
            // (/system/EventStreamUnsubscriber-6), which differ between two runs of one seed in one process.
            var path = cell.Self.Path;
            name = path.Elements.Count > 0 && path.Elements[0] == "user"
                ? Encoding.UTF8.GetBytes(cell.System.Name + path.ToStringWithoutAddress())
                : [];
            _cellNames[cell] = name;
        }
        if (name.Length == 0) return;
        var type = message.GetType();
        if (!_typeNames.TryGetValue(type, out var typeName))
        {
            typeName = Encoding.UTF8.GetBytes(type.FullName ?? type.Name);
            _typeNames[type] = typeName;
        }
        Append(_now, 0, 2, name, typeName);
    }

    private void Trace(long ticks, long seq, byte kind, string? label)
    {
        var bytes = label is null ? [] : LabelBytes(label);
        Append(ticks, seq, kind, bytes, []);
    }

    private readonly Dictionary<string, byte[]> _labels = new();

    private byte[] LabelBytes(string label)
    {
        if (_labels.TryGetValue(label, out var bytes)) return bytes;
        if (_labels.Count > 4096) return Encoding.UTF8.GetBytes(label);
        return _labels[label] = Encoding.UTF8.GetBytes(label);
    }

    private void Append(long ticks, long seq, byte kind, byte[] a, byte[] b)
    {
        var size = 17 + a.Length + b.Length + 1;
        if (_traceLength + size > _traceBuffer.Length) FlushTrace();
        if (size > _traceBuffer.Length)
        {
            _traceHash.AppendData(a);
            _traceHash.AppendData(b);
            return;
        }
        var span = _traceBuffer.AsSpan(_traceLength);
        BinaryPrimitives.WriteInt64LittleEndian(span, ticks);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], seq);
        span[16] = kind;
        a.CopyTo(span[17..]);
        b.CopyTo(span[(17 + a.Length)..]);
        span[size - 1] = (byte)'\n';
        _traceLength += size;
    }

    private void FlushTrace()
    {
        if (_traceLength == 0) return;
        _traceHash.AppendData(_traceBuffer, 0, _traceLength);
        _traceLength = 0;
    }

    // ---- heap entries ----

    internal abstract class TimerEntry
    {
        public abstract bool IsLive { get; }
        public abstract string? Label { get; }
        public abstract void Fire(Simulation simulation);
    }

    private sealed class ActionEntry(Action action, string? label) : TimerEntry
    {
        public override bool IsLive => true;
        public override string? Label => label;
        public override void Fire(Simulation simulation) => action();
        public override string ToString() => label ?? "action";
    }

    /// <summary>A binary min-heap of timers keyed (due, seq): equal due times fire in the order they were set.</summary>
    private sealed class TimerHeap
    {
        private (long Due, long Seq, TimerEntry Entry)[] _items = new (long, long, TimerEntry)[256];

        public int Count { get; private set; }

        public void Push(long due, long seq, TimerEntry entry)
        {
            if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
            var item = (due, seq, entry);
            var i = Count++;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (!Before(item, _items[parent])) break;
                _items[i] = _items[parent];
                i = parent;
            }
            _items[i] = item;
        }

        public bool TryPeek(out long due, out long seq)
        {
            if (Count == 0)
            {
                due = seq = 0;
                return false;
            }
            (due, seq, _) = _items[0];
            return true;
        }

        public void Pop(out long due, out long seq, out TimerEntry entry)
        {
            (due, seq, entry) = _items[0];
            var last = _items[--Count];
            _items[Count] = default;
            if (Count == 0) return;
            var i = 0;
            while (true)
            {
                var child = (2 * i) + 1;
                if (child >= Count) break;
                if (child + 1 < Count && Before(_items[child + 1], _items[child])) child++;
                if (!Before(_items[child], last)) break;
                _items[i] = _items[child];
                i = child;
            }
            _items[i] = last;
        }

        private static bool Before((long Due, long Seq, TimerEntry) a, (long Due, long Seq, TimerEntry) b) =>
            a.Due < b.Due || (a.Due == b.Due && a.Seq < b.Seq);
    }

    private sealed class VirtualTimeProvider(Simulation simulation) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => simulation.Now;
    }
}
