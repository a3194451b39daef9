using Akka.Actor;

namespace Totem.Nodes.Actors;

/// <summary>The node's supervision: a child that throws is restarted (its protocol state rebuilt), and the failure is reported.</summary>
public static class NodeSupervision
{
    /// <summary>
    /// One-for-one, restart on any exception, without a retry limit (a node must not give up its ring), after
    /// telling <paramref name="report"/> which actor failed (the simulator counts every failure as a bug).
    /// </summary>
    public static SupervisorStrategy RestartAndReport(Action<string, Exception>? report) =>
        new OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, error =>
        {
            report?.Invoke(error.TargetSite?.DeclaringType?.Name ?? "actor", error);
            return Directive.Restart;
        });
}
