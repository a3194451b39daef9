using Akka.Actor;
using Serilog;
using Totem.Nodes.Messages;

namespace Totem.Nodes.Actors;

/// <summary>
/// An orderly shutdown, in phases (Become): the ring sends its leave (so the others reform at once instead of
/// waiting for the token timeout), then the adapter confirms it is on the wire, then the node stops; a deadline
/// (a keyed timer) stops it anyway. Messages only, so it runs the same on the thread pool and in the simulation.
/// </summary>
public sealed class LeaveSequence : ReceiveActor, IWithTimers
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
        Leaving();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef ring, IActorRef adapter, Action stop, TimeSpan timeout, ILogger log) =>
        Akka.Actor.Props.Create(() => new LeaveSequence(ring, adapter, stop, timeout, log));

    protected override void PreStart()
    {
        Timers.StartSingleTimer(Deadline, new LeaveTimedOut(), _timeout);
        _ring.Tell(new LeaveRingCommand(), Self);
    }

    private void Leaving()
    {
        Receive<LeaveSent>(_ =>
        {
            _adapter.Tell(new FlushTransport(), Self);
            Become(Flushing);
        });
        Receive<LeaveTimedOut>(_ => TimedOut());
    }

    private void Flushing()
    {
        Receive<Flushed>(_ => Done());
        Receive<LeaveTimedOut>(_ => TimedOut());
    }

    private void TimedOut()
    {
        _log.Warning("The leave message could not be confirmed in time; stopping anyway");
        Done();
    }

    private void Done()
    {
        Timers.CancelAll();
        Become(() => { });
        _stop();
        Context.Stop(Self);
    }

    private sealed record LeaveTimedOut;
}
