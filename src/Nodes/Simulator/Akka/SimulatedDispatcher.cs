using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;

namespace Totem.Nodes.Simulator;

/// <summary>
/// The dispatcher of every simulated system: a mailbox run is not given to a thread but queued on the simulation's
/// one FIFO, which the simulation loop drains on its own thread. No throughput deadline (it would read the real clock).
/// With <see cref="Simulation.BusyNodes"/> the runs of the node's own actors (the default dispatcher; Akka's guardians
/// run on the internal one) wait on the simulation's heap first.
/// </summary>
public sealed class SimulatedDispatcher : MessageDispatcher
{
    private readonly Simulation _simulation;
    private readonly Queue<IRunnable> _held = new();
    // In the order they were delayed: a crash makes them ready in that order.
    private readonly List<DelayedRun> _delayed = new();
    private readonly bool _runsNodeActors;
    private bool _paused;
    private bool _terminating;

    internal SimulatedDispatcher(MessageDispatcherConfigurator configurator, Simulation simulation) : base(configurator)
    {
        _simulation = simulation;
        ThroughputDeadlineTime = null;
        _runsNodeActors = configurator.Config.GetString("id", null) == Dispatchers.DefaultDispatcherId;
    }

    /// <summary>Whether a busy simulation delays this dispatcher's runs: the node's actors, until its system terminates.</summary>
    internal bool Delays => _runsNodeActors && !_terminating;

    public override void Dispatch(ActorCell cell, Envelope envelope)
    {
        _simulation.TraceDispatch(cell, envelope.Message);
        base.Dispatch(cell, envelope);
    }

    protected override void ExecuteTask(IRunnable run)
    {
        if (_paused) _held.Enqueue(run);
        else _simulation.ExecuteMailboxRun(this, run);
    }

    /// <summary>The heap entry of a run that waits (a busy node); it runs the mailbox when it comes due.</summary>
    internal Simulation.TimerEntry Delayed(IRunnable run)
    {
        var entry = new DelayedRun(this, run);
        _delayed.Add(entry);
        return entry;
    }

    /// <summary>
    /// The node is killed or exits: from now on its runs are ready at once, and the ones still waiting are made ready
    /// now, so that the crash's <see cref="Simulation.Pump"/> stops every actor before the script goes on (a waiting
    /// run keeps its mailbox scheduled, so the actor's termination would otherwise wait for it too).
    /// </summary>
    internal void SystemTerminating()
    {
        _terminating = true;
        foreach (var entry in _delayed)
        {
            entry.Released = true;
            ExecuteTask(entry.Run);
        }
        _delayed.Clear();
    }

    private void RunDelayed(DelayedRun entry)
    {
        _delayed.Remove(entry);
        // Paused while it waited: the process was stopped before the thread got its core.
        if (_paused) _held.Enqueue(entry.Run);
        else entry.Run.Run();
    }

    /// <summary>
    /// The process stops being scheduled (SIGSTOP, a VM frozen): its mailbox runs wait here, so its actors handle
    /// nothing, its timers' expiries and its datagrams queue in the mailboxes until <see cref="Resume"/>.
    /// </summary>
    public void Pause() => _paused = true;

    /// <summary>The process runs again: everything that queued meanwhile goes to the simulation's FIFO, in order.</summary>
    public void Resume()
    {
        _paused = false;
        while (_held.TryDequeue(out var run)) _simulation.EnqueueReady(run);
    }

    protected override void Shutdown()
    {
    }

    private sealed class DelayedRun(SimulatedDispatcher owner, IRunnable run) : Simulation.TimerEntry
    {
        public IRunnable Run { get; } = run;
        public bool Released { get; set; }
        public override bool IsLive => !Released;
        public override string? Label => null;
        public override void Fire(Simulation simulation) => owner.RunDelayed(this);
        public override string ToString() => "busy node's mailbox run";
    }
}

/// <summary>Named in HOCON by <c>type = "Totem.Nodes.Simulator.SimulatedDispatcherConfigurator, Totem.Nodes"</c>.</summary>
public sealed class SimulatedDispatcherConfigurator : MessageDispatcherConfigurator
{
    private readonly SimulatedDispatcher _dispatcher;

    public SimulatedDispatcherConfigurator(Config config, IDispatcherPrerequisites prerequisites) : base(config, prerequisites)
    {
        // The dispatcher's own section does not carry the simulation id; the system's settings do.
        _dispatcher = new SimulatedDispatcher(this, Simulation.Find(prerequisites.Settings.Config));
    }

    public override MessageDispatcher Dispatcher() => _dispatcher;
}
