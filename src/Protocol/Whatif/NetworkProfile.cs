namespace Totem.Protocol.Whatif;

/// <summary>
/// The network a what-if run puts the ring on: one-way delay (a fixed latency plus jitter, or measured samples),
/// datagram loss, stall events (a node, or every node, frozen for a while at a rate) and jitter bursts (extra delay for a
/// while on some links, at a rate).
/// </summary>
public sealed record NetworkProfile(TimeSpan Latency, DelayJitter Jitter, double LossProbability, IReadOnlyList<StallEvent> Stalls)
{
    public static NetworkProfile Ideal { get; } = new(TimeSpan.Zero, DelayJitter.None, 0, []);

    public IReadOnlyList<JitterBurst> Bursts { get; init; } = [];

    /// <summary>One datagram's one-way delay in milliseconds, drawn from <paramref name="random"/> (deterministic per seed).</summary>
    public double DrawDelayMs(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Latency.TotalMilliseconds + Jitter.DrawMs(random);
    }
}
