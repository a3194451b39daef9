using System.Security.Cryptography;
using System.Text;
using Serilog;
using Totem.Actors.Dispatch;

namespace Totem.Actors;

/// <summary>
/// A deterministic world for many actor systems (nodes): one thread, a virtual clock that starts at
/// <see cref="Epoch"/>, and one seeded <see cref="Random"/>. Every mailbox turn, timer and scheduled action is an
/// event ordered by (virtual time, insertion sequence), so the same seed replays the same run exactly.
/// Not thread-safe: create systems, tell and run only from the thread that runs the simulation.
/// </summary>
public sealed class Simulation
{
    public static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const int CompactionThreshold = 4096;

    private readonly List<string> _trace = [];
    private readonly IncrementalHash _traceHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private Entry[] _heap = new Entry[256];
    private int _count;
    private int _stale;
    private long _sequence;
    private long _now;
    private bool _running;

    public Simulation(int seed, bool enableTrace = false)
    {
        Seed = seed;
        Random = new Random(seed);
        EnableTrace = enableTrace;
        TimeProvider = new VirtualTimeProvider(this);
    }

    public int Seed { get; }

    /// <summary>The only source of randomness a simulated run may use.</summary>
    public Random Random { get; }

    /// <summary>The virtual clock as a TimeProvider; every system created here uses it.</summary>
    public TimeProvider TimeProvider { get; }

    public DateTimeOffset Now => Epoch.AddTicks(_now);

    public TimeSpan Elapsed => new(_now);

    /// <summary>Records one line per event in <see cref="Trace"/> and hashes it into <see cref="TraceHash"/>.</summary>
    public bool EnableTrace { get; set; }

    public IReadOnlyList<string> Trace => _trace;

    /// <summary>SHA-256 (lower-case hex) of every trace line recorded so far, each followed by '\n'.</summary>
    public string TraceHash => Convert.ToHexStringLower(_traceHash.GetCurrentHash());

    public long EventsProcessed { get; private set; }

    /// <summary>Events in the queue, including cancelled timers not yet discarded.</summary>
    public int PendingEvents => _count - _stale;

    internal long NowTicks => _now;

    public ActorSystem CreateSystem(string name, FailurePolicy? failurePolicy = null, ILogger? logger = null)
    {
        var settings = new ActorSystemSettings
        {
            FailurePolicy = failurePolicy ?? FailurePolicy.Restart,
            TimeProvider = TimeProvider,
            Logger = logger,
        };
        return new ActorSystem(name, settings, new SimulationDispatcher(this));
    }

    /// <summary>Runs <paramref name="action"/> after <paramref name="delay"/> of virtual time.</summary>
    public void Schedule(TimeSpan delay, Action action, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Enqueue(After(delay), new ActionEvent(action, label), 0);
    }

    /// <summary>Runs every event due within <paramref name="duration"/>, then leaves the clock at its end.</summary>
    public void RunFor(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var deadline = After(duration);
        EnterRun();
        try
        {
            while (_count > 0 && _heap[0].Ticks <= deadline)
            {
                Step();
            }

            _now = deadline;
        }
        finally
        {
            _running = false;
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
        EnterRun();
        try
        {
            while (!predicate())
            {
                if (_count == 0 || _heap[0].Ticks > deadline)
                {
                    _now = deadline;
                    return predicate();
                }

                Step();
            }

            return true;
        }
        finally
        {
            _running = false;
        }
    }

    /// <summary>Runs until no event is left (true) or <paramref name="timeout"/> of virtual time has passed (false).</summary>
    public bool RunUntilIdle(TimeSpan timeout) => RunUntil(() => PendingEvents == 0, timeout);

    internal void Enqueue(long ticks, SimulationEvent simulationEvent, long token)
    {
        if (_stale > CompactionThreshold && _stale > _count / 2)
        {
            Compact();
        }

        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        var entry = new Entry(ticks < _now ? _now : ticks, _sequence++, simulationEvent, token);
        var i = _count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!entry.Before(_heap[parent]))
            {
                break;
            }

            _heap[i] = _heap[parent];
            i = parent;
        }

        _heap[i] = entry;
    }

    internal void NoteStaleEvent() => _stale++;

    /// <summary>The virtual instant <paramref name="delay"/> from now, saturating instead of overflowing.</summary>
    internal long After(TimeSpan delay) => delay.Ticks > long.MaxValue - _now ? long.MaxValue : _now + delay.Ticks;

    private void EnterRun()
    {
        if (_running)
        {
            throw new InvalidOperationException("The simulation is already running: Run* cannot be called from inside an event.");
        }

        _running = true;
    }

    private void Step()
    {
        var entry = _heap[0];
        RemoveRoot();
        _now = entry.Ticks;
        if (!entry.Event.IsLive(entry.Token))
        {
            _stale--;
            return;
        }

        if (EnableTrace)
        {
            var line = $"{entry.Ticks} {entry.Sequence} {entry.Event.Describe()}";
            _trace.Add(line);
            _traceHash.AppendData(Encoding.UTF8.GetBytes(line + "\n"));
        }

        EventsProcessed++;
        entry.Event.Fire(entry.Token);
    }

    private void RemoveRoot()
    {
        var last = _heap[--_count];
        _heap[_count] = default;
        if (_count > 0)
        {
            SiftDown(0, last);
        }
    }

    private void SiftDown(int i, Entry entry)
    {
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= _count)
            {
                break;
            }

            if (child + 1 < _count && _heap[child + 1].Before(_heap[child]))
            {
                child++;
            }

            if (!_heap[child].Before(entry))
            {
                break;
            }

            _heap[i] = _heap[child];
            i = child;
        }

        _heap[i] = entry;
    }

    /// <summary>Drops cancelled timers' entries when they outnumber live ones (timers reset on every token pass).</summary>
    private void Compact()
    {
        var live = 0;
        for (var i = 0; i < _count; i++)
        {
            if (_heap[i].Event.IsLive(_heap[i].Token))
            {
                _heap[live++] = _heap[i];
            }
        }

        Array.Clear(_heap, live, _count - live);
        _count = live;
        _stale = 0;
        for (var i = (_count / 2) - 1; i >= 0; i--)
        {
            SiftDown(i, _heap[i]);
        }
    }

    private readonly record struct Entry(long Ticks, long Sequence, SimulationEvent Event, long Token)
    {
        public bool Before(in Entry other) =>
            Ticks < other.Ticks || (Ticks == other.Ticks && Sequence < other.Sequence);
    }
}
