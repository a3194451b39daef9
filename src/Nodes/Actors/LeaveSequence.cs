using Akka.Actor;
using Serilog;
using Totem.Nodes.Messages;

namespace Totem.Nodes.Actors;

/// <summary>
/// An orderly shutdown, in phases (Become): the ring sends its leave (so the others reform at once instead of
/// waiting for the token timeout), then the adapter confirms it is on the wire, then the node stops; a deadline
/// (a keyed timer) stops it anyway. Messages only, so it runs the same on the thread pool and in the simulation.
/// </summary>
public sealed class LeaveSequence : UntypedActor, IWithTimers
{
    private const string Deadline = "leave-deadline";
    private readonly IActorRef _ring;
    private readonly IActorRef _adapter;
    private readonly Action _stop;
    private readonly TimeSpan _timeout;
    private readonly ILogger _log;

    public LeaveSequence(IActorRef ring, IActorRef adapter, Action stop, TimeSpan timeout, ILogger log)
    {
        _ring = ring;
        _adapter = adapter;
        _stop = stop;
        _timeout = timeout;
        _log = log;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef ring, IActorRef adapter, Action stop, TimeSpan timeout, ILogger log) =>
        Akka.Actor.Props.Create<LeaveSequence>(ring, adapter, stop, timeout, log);

    protected override void PreStart()
    {
        Timers.StartSingleTimer(Deadline, new LeaveTimedOut(), _timeout);
        _ring.Tell(new LeaveRingCommand(), Self);
    }

    /// <summary>The first phase: waiting for the ring to confirm its leave is sent.</summary>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case LeaveSent:
                _adapter.Tell(new FlushTransport(), Self);
                Become(Flushing);
                break;
            case LeaveTimedOut:
                TimedOut();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>The second phase: waiting for the adapter to confirm the leave is on the wire.</summary>
    private void Flushing(object message)
    {
        switch (message)
        {
            case Flushed:
                Done();
                break;
            case LeaveTimedOut:
                TimedOut();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void TimedOut()
    {
        _log.Warning("The leave message could not be confirmed in time; stopping anyway");
        Done();
    }

    private void Done()
    {
        Timers.CancelAll();
        Become(_ => { });
        _stop();
        Context.Stop(Self);
    }

    private sealed record LeaveTimedOut;
}
