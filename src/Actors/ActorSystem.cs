using Serilog;
using Totem.Actors.Cells;
using Totem.Actors.Dispatch;
using Totem.Actors.Scheduling;

namespace Totem.Actors;

/// <summary>
/// A set of actors sharing a dispatcher, a clock, a scheduler and dead letters: one node. Top-level actors live
/// under totem://NAME/user.
/// </summary>
public sealed class ActorSystem
{
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ActorScheduler _scheduler;
    private readonly ActorCell _guardian;
    private Exception? _terminationReason;
    private long _temporaryIds;
    private volatile bool _terminating;

    internal ActorSystem(string name, ActorSystemSettings settings, Dispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (string.IsNullOrWhiteSpace(name) || name.AsSpan().IndexOfAny("/ \t\r\n#:") >= 0)
        {
            throw new ArgumentException(
                $"Invalid actor system name [{name}]: it must be non-empty and must not contain '/', ':', '#' or whitespace.", nameof(name));
        }

        Name = name;
        Settings = settings;
        Dispatcher = dispatcher;
        RootAddress = "totem://" + name;
        Log = (settings.Logger ?? Serilog.Log.Logger).ForContext("ActorSystem", name);
        _scheduler = new ActorScheduler(dispatcher.TimeProvider);
        DeadLetters = new DeadLetterActorRef(this);
        _guardian = new ActorCell(this, parent: null, props: null, "user", RootAddress + "/user");
    }

    public string Name { get; }

    public ActorSystemSettings Settings { get; }

    /// <summary>The clock every actor of this system must use (virtual in a simulation).</summary>
    public TimeProvider TimeProvider => Dispatcher.TimeProvider;

    public DateTimeOffset Now => Dispatcher.TimeProvider.GetUtcNow();

    public IScheduler Scheduler => _scheduler;

    public DeadLetterActorRef DeadLetters { get; }

    public ILogger Log { get; }

    /// <summary>Completes when every actor has stopped (PostStop run) after <see cref="Terminate"/>.</summary>
    public Task WhenTerminated => _terminated.Task;

    public bool IsTerminated => _terminated.Task.IsCompleted;

    /// <summary>The actor failure that terminated the system under <see cref="FailurePolicy.StopSystem"/>, if any.</summary>
    public Exception? TerminationReason => Volatile.Read(ref _terminationReason);

    internal Dispatcher Dispatcher { get; }

    internal string RootAddress { get; }

    /// <summary>Once set, no user message is processed any more: told messages go to dead letters.</summary>
    internal bool IsTerminating => _terminating;

    /// <summary>A system on the thread-pool dispatcher and the real clock (or the settings' TimeProvider).</summary>
    public static ActorSystem Create(string name, ActorSystemSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ActorSystem(name, settings, new ThreadPoolDispatcher(settings.TimeProvider ?? TimeProvider.System, settings.Throughput));
    }

    public static ActorSystem Create(string name) => Create(name, ActorSystemSettings.Default);

    public IActorRef ActorOf(Props props, string? name = null) => _guardian.ActorOf(props, name);

    /// <summary>Stops the actor after its current message; its pending messages become dead letters.</summary>
    public void Stop(IActorRef actor) => _guardian.Stop(actor);

    /// <summary>
    /// Orderly stop: cancels every scheduled tell, stops processing user messages at once, then stops every actor
    /// (children before parents, PostStop on each). Idempotent.
    /// </summary>
    public Task Terminate()
    {
        if (_terminating)
        {
            return WhenTerminated;
        }

        _terminating = true;
        Log.Information("Actor system {ActorSystem} is terminating", Name);
        _scheduler.Close();
        _guardian.RequestStop();
        return WhenTerminated;
    }

    public override string ToString() => RootAddress;

    internal void Fail(Exception reason, string actorPath)
    {
        if (Interlocked.CompareExchange(ref _terminationReason, reason, null) is null)
        {
            Log.Fatal(reason, "Actor {ActorPath} failed; failure policy StopSystem terminates actor system {ActorSystem}", actorPath, Name);
        }

        Terminate();
    }

    internal long NextTemporaryId() => Interlocked.Increment(ref _temporaryIds);

    internal void OnGuardianTerminated()
    {
        _scheduler.Close();
        Log.Information("Actor system {ActorSystem} terminated", Name);
        _terminated.TrySetResult();
    }
}
