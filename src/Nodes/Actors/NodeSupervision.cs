using Akka.Actor;
using Akka.Actor.Internal;

namespace Totem.Nodes.Actors;

/// <summary>The node's supervision: a child that throws is restarted (its protocol state rebuilt), and the failure is reported.</summary>
public static class NodeSupervision
{
    /// <summary>
    /// One-for-one, without a retry limit (a node must not give up its ring): a child that throws while handling a
    /// message is restarted; one that cannot even be created (or is killed) is stopped, as Akka's default does, so a
    /// constructor that always throws cannot spin. Every failure is first told to <paramref name="report"/> with the
    /// child's path (the simulator counts each one as a bug).
    /// </summary>
    public static SupervisorStrategy RestartAndReport(Action<string, Exception>? report) => new Reporting(report);

    private sealed class Reporting(Action<string, Exception>? report) : OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, Decide)
    {
        public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause, ChildRestartStats stats,
            IReadOnlyCollection<ChildRestartStats> children)
        {
            report?.Invoke(child.Path.ToStringWithoutAddress(), cause);
            base.ProcessFailure(context, restart, child, cause, stats, children);
        }

        private static Directive Decide(Exception error) => error switch
        {
            ActorInitializationException or ActorKilledException or DeathPactException => Directive.Stop,
            _ => Directive.Restart,
        };
    }
}
