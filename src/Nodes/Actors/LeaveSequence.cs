using Serilog;
using Totem.Actors;
using Totem.Nodes.Messages;

namespace Totem.Nodes.Actors;

/// <summary>
/// An orderly shutdown: the ring sends its leave (so the others reform at once instead of waiting for
/// the token timeout), the adapter confirms it is on the wire, then the node stops. An actor rather than
/// awaited Asks, so it runs the same on the thread pool and inside the single-threaded simulation.
/// </summary>
public sealed class LeaveSequence : ReceiveActor
{
    private const string Deadline = "leave-deadline";
    private readonly NodeWiring _wiring;
    private readonly Action _stop;
    private readonly TimeSpan _timeout;
    private readonly ILogger _log;

    public LeaveSequence(NodeWiring wiring, Action stop, TimeSpan timeout, ILogger log)
    {
        _wiring = wiring;
        _stop = stop;
        _timeout = timeout;
        _log = log;
        Receive<LeaveSent>(_ => _wiring.Adapter.Tell(new FlushTransport(), Self));
        Receive<Flushed>(_ => _stop());
        Receive<LeaveTimedOut>(_ =>
        {
            _log.Warning("The leave message could not be confirmed in time; stopping anyway");
            _stop();
        });
    }

    protected override void PreStart()
    {
        Timers.StartSingleTimer(Deadline, new LeaveTimedOut(), _timeout);
        _wiring.Ring.Tell(new LeaveRingCommand(), Self);
    }

    private sealed record LeaveTimedOut;
}
