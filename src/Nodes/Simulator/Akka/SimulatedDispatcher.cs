using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;

namespace Totem.Nodes.Simulator;

/// <summary>
/// The dispatcher of every simulated system: a mailbox run is not given to a thread but queued on the simulation's
/// one FIFO, which the simulation loop drains on its own thread. No throughput deadline (it would read the real clock).
/// </summary>
public sealed class SimulatedDispatcher : MessageDispatcher
{
    private readonly Simulation _simulation;
    private readonly Queue<IRunnable> _held = new();
    private bool _paused;

    internal SimulatedDispatcher(MessageDispatcherConfigurator configurator, Simulation simulation) : base(configurator)
    {
        _simulation = simulation;
        ThroughputDeadlineTime = null;
    }

    public override void Dispatch(ActorCell cell, Envelope envelope)
    {
        _simulation.TraceDispatch(cell, envelope.Message);
        base.Dispatch(cell, envelope);
    }

    protected override void ExecuteTask(IRunnable run)
    {
        if (_paused) _held.Enqueue(run);
        else _simulation.EnqueueReady(run);
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
