namespace Totem.Nodes.Control;

/// <summary>
/// A started node as its process sees it: the control facade plus its lifetime. Disposing stops the
/// node without a leave message (a crash, as far as the peers can tell).
/// </summary>
public interface IRunningNode : INodeControl, IAsyncDisposable
{
    /// <summary>Completes once, when the node has stopped for good, saying why.</summary>
    Task<NodeExit> Exited { get; }

    /// <summary>
    /// Announces the departure to the ring so the others form a new membership at once instead of
    /// waiting for the token timeout, then stops. Completes with <see cref="Exited"/>.
    /// </summary>
    Task<NodeExit> LeaveAndStopAsync(CancellationToken cancellationToken);
}

public enum NodeExitReason
{
    /// <summary>Stopped on request (LeaveAndStop or disposal).</summary>
    Stopped,

    /// <summary>The watchdog fenced the node: quorum stayed lost past the fencing timeout.</summary>
    Fenced,

    /// <summary>An unrecoverable fault (socket gone, actor system failed).</summary>
    Failed,
}

public sealed record NodeExit(NodeExitReason Reason, string Detail, DateTimeOffset At);
