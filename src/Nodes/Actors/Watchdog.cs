using Serilog;
using Akka.Actor;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Protocol.Quorum;

namespace Totem.Nodes.Actors;

/// <summary>
/// Turns sustained quorum loss into fencing: armed when a node that has been quorate loses quorum,
/// disarmed when quorum returns, and on expiry the node fences itself (the host exits with the
/// fencing code; the simulator crashes and reboots the node). The fencing timer is a keyed timer: a disarm drops
/// an expiry already on its way.
/// </summary>
public sealed class Watchdog : UntypedActor, IWithTimers
{
    private const string FencingTimer = "fencing";
    private readonly FencingWatchdog _watchdog;
    private readonly NodeBoard _board;
    private readonly Action<NodeExit> _fence;
    private readonly ILogger _log;
    private long _deadline;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeOptions options, NodeBoard board, Action<NodeExit> fence, ILogger log) =>
        Akka.Actor.Props.Create<Watchdog>(options, board, fence, log);

    public Watchdog(NodeOptions options, NodeBoard board, Action<NodeExit> fence, ILogger log)
    {
        _watchdog = new FencingWatchdog(options.Fencing);
        _board = board;
        _fence = fence;
        _log = log.ForContext(LogSubsystem.Property, LogSubsystem.Watchdog);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case QuorumVerdict verdict:
                Step(new QuorumObserved(verdict.Quorate));
                break;
            case FencingExpired:
                Step(new FencingTimerExpired());
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Step(FencingInput input)
    {
        var now = Context.System.Scheduler.Now;
        foreach (var output in _watchdog.Handle(input, now.ToUnixTimeMilliseconds()))
        {
            switch (output)
            {
                case StartFencingTimer start:
                    var rearmed = _deadline == start.DeadlineMs;
                    _deadline = start.DeadlineMs;
                    Timers.StartSingleTimer(FencingTimer, new FencingExpired(start.DeadlineMs), TimeSpan.FromMilliseconds(start.DelayMs));
                    if (!rearmed) _board.Publish(new WatchdogArmed(now, DateTimeOffset.FromUnixTimeMilliseconds(start.DeadlineMs)));
                    break;
                case StopFencingTimer:
                    _deadline = 0;
                    Timers.Cancel(FencingTimer);
                    _board.Publish(new WatchdogDisarmed(now));
                    break;
                case FencingLog log:
                    _log.Write(VoteQuorumService.LevelOf(log.Level), log.Template, log.Args);
                    break;
                case FenceNode fence:
                    _board.Publish(new NodeFenced(now, fence.Reason));
                    _fence(new NodeExit(NodeExitReason.Fenced, fence.Reason, now));
                    break;
            }
        }
        _board.PublishWatchdog(_watchdog.Status);
    }

    private sealed record FencingExpired(long DeadlineMs);
}
