namespace Totem.Client;

/// <summary>The node's answer to a batch: queued (its messages are submissions FirstIndex onwards) or TRY_AGAIN (nothing queued).</summary>
public readonly record struct BatchAnswer(bool Accepted, long FirstIndex, string? TryAgainReason)
{
    public static BatchAnswer Queued(long firstIndex) => new(true, firstIndex, null);
    public static BatchAnswer TryAgain(string reason) => new(false, -1, reason);
}
