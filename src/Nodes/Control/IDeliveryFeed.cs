namespace Totem.Nodes.Control;

/// <summary>
/// A reader of what one node delivers from the moment it was opened: application messages and new regular
/// configurations, in delivery order (a configuration comes after every message of the ring before it), read from
/// the node's delivered-message log without copying. A reader that falls behind the log's retention gets
/// <see cref="DeliveriesForgottenException"/> rather than a silent gap. One reader at a time; it holds nothing of the node's, so dropping it is all it takes to stop.
/// </summary>
public interface IDeliveryFeed
{
    /// <summary>The delivery index of the next message <see cref="Read"/> returns.</summary>
    long Next { get; }

    /// <summary>True once the node has stopped: nothing more will come.</summary>
    bool Completed { get; }

    /// <summary>Appends up to <paramref name="max"/> items to <paramref name="into"/>; returns how many (0: nothing new).</summary>
    /// <exception cref="DeliveriesForgottenException">The node no longer holds the next message.</exception>
    int Read(List<FeedItem> into, int max);

    /// <summary>Completes when <see cref="Read"/> has something to return, or the node stopped.</summary>
    Task WaitAsync(CancellationToken cancellationToken);
}

/// <summary>One item of a <see cref="IDeliveryFeed"/>: a delivered message or a new regular configuration.</summary>
public readonly record struct FeedItem(DeliveredApplicationMessage? Message, MembershipFormed? Configuration);

/// <summary>The feed's next message was dropped from the node's delivered-message log before the reader took it.</summary>
public sealed class DeliveriesForgottenException(long wanted, long oldest)
    : Exception($"the reader fell behind: it needed delivery {wanted} but the node holds deliveries from {oldest} on (the delivered-message log keeps a bounded number)")
{
    public long Wanted { get; } = wanted;
    public long Oldest { get; } = oldest;
}
