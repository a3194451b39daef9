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
    /// child's path (the simulator counts each one as a bug). The children named in <paramref name="restartedTogether"/>
    /// are restarted together when one of them fails (all-for-one among them): halves of one protocol whose states
    /// only make sense with each other's.
    /// </summary>
    public static SupervisorStrategy RestartAndReport(Action<string, Exception>? report, IReadOnlySet<string>? restartedTogether = null) =>
        new Reporting(report, restartedTogether ?? new HashSet<string>());

    private sealed class Reporting(Action<string, Exception>? report, IReadOnlySet<string> together)
        : OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, Decide)
    {
        public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause, ChildRestartStats stats,
            IReadOnlyCollection<ChildRestartStats> children)
        {
            report?.Invoke(child.Path.ToStringWithoutAddress(), cause);
            if (restart && together.Contains(child.Path.Name))
            {
                foreach (var other in children)
                    if (together.Contains(other.Child.Path.Name))
                        RestartChild(other.Child, cause, suspendFirst: !other.Child.Equals(child));
                return;
            }
            base.ProcessFailure(context, restart, child, cause, stats, children);
        }

        private static Directive Decide(Exception error) => error switch
        {
            ActorInitializationException or ActorKilledException or DeathPactException => Directive.Stop,
            _ => Directive.Restart,
        };
    }
}
