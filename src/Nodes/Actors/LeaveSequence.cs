using Akka.Actor;
using Serilog;
using Totem.Nodes.Messages;

namespace Totem.Nodes.Actors;

/// <summary>
/// An orderly shutdown, in phases (Become): votequorum announces the leave (with allow_downscale, as corosync's
/// votequorum_exec_exit_fn, and waits until that node-info came back through the ring, so every member that stays has
/// it), the ring sends its leave (so the others reform at once instead of waiting for the token timeout), then the
/// adapter confirms it is on the wire, then the node stops; a deadline (a keyed timer) stops it anyway, and the
/// announcement gets half of it, so a ring that cannot deliver it still sees the leave. Messages only, so it runs the
/// same on the thread pool and in the simulation.
/// </summary>
public sealed class LeaveSequence : UntypedActor, IWithTimers
{
    private const string Deadline = "leave-deadline";
    private const string AnnouncementDeadline = "announcement-deadline";
    private readonly RingHalves _ring;
    private readonly IActorRef _adapter;
    private readonly Action _stop;
    private readonly TimeSpan _timeout;
    private readonly ILogger _log;

    public LeaveSequence(RingHalves ring, IActorRef adapter, Action stop, TimeSpan timeout, ILogger log)
    {
        _ring = ring;
        _adapter = adapter;
        _stop = stop;
        _timeout = timeout;
        _log = log;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RingHalves ring, IActorRef adapter, Action stop, TimeSpan timeout, ILogger log) =>
        Akka.Actor.Props.Create<LeaveSequence>(ring, adapter, stop, timeout, log);

    protected override void PreStart()
    {
        Timers.StartSingleTimer(Deadline, new LeaveTimedOut(), _timeout);
        Timers.StartSingleTimer(AnnouncementDeadline, new AnnouncementTimedOut(), _timeout / 2);
        // Through token-holder, whose child votequorum is; its multicast goes into the ring from there.
        _ring.TokenHolder.Tell(new AnnounceLeavingCommand(), Self);
    }

    /// <summary>The first phase: waiting for votequorum's leaving node-info to come back through the ring.</summary>
    protected override void OnReceive(object message)
    {
        if (message is AnnouncementTimedOut)
        {
            _log.Warning("The leaving node-info did not come back through the ring in time; leaving the ring without it");
            LeaveRing();
            return;
        }
        Awaiting<LeaveAnnounced>(LeaveRing)(message);
    }

    /// <summary>The second phase waits for the ring to confirm its leave is sent, the third for the adapter to confirm it is on the wire.</summary>
    private void LeaveRing()
    {
        Timers.Cancel(AnnouncementDeadline);
        _ring.Membership.Tell(new LeaveRingCommand(), Self);
        Become(Awaiting<LeaveSent>(() =>
        {
            _adapter.Tell(new FlushTransport(), Self);
            Become(Awaiting<Flushed>(Done));
        }));
    }

    // A phase waits for one confirmation; the deadline cuts any of them.
    private UntypedReceive Awaiting<T>(Action next) => message =>
    {
        switch (message)
        {
            case T:
                next();
                break;
            case LeaveTimedOut:
                TimedOut();
                break;
            default:
                Unhandled(message);
                break;
        }
    };

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

    private sealed record AnnouncementTimedOut;
}
