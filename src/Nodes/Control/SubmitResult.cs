namespace Totem.Nodes.Control;

public enum SubmitRefusal
{
    /// <summary>The payload exceeds what one Totem message may carry.</summary>
    TooLarge,

    /// <summary>The node's pending-message queue is full (the ring is not keeping up, or not operational for long).</summary>
    QueueFull,

    /// <summary>The node is leaving or stopped.</summary>
    Stopping,
}

/// <summary>
/// The answer to a submission. When accepted, <see cref="SubmissionIndex"/> numbers the node's own
/// submissions (0, 1, ...); delivery order is only known once the message comes back through the ring.
/// </summary>
public sealed record SubmitResult(bool Accepted, long SubmissionIndex, SubmitRefusal? Refusal, string? Reason)
{
    public static SubmitResult Queued(long submissionIndex) => new(true, submissionIndex, null, null);
    public static SubmitResult Refused(SubmitRefusal refusal, string reason) => new(false, -1, refusal, reason);
}
