namespace Totem.Protocol.Whatif;

/// <summary>
/// "jitter burst 5ms for 2s every 1m on all": for <see cref="Length"/>, each datagram on the affected links gets an
/// extra delay drawn uniformly in [0, <see cref="Amplitude"/>] (a congested switch buffer, a noisy neighbour), the
/// bursts arriving on average once per <see cref="Period"/> (Poisson, as stalls). The scope names the node whose links
/// (to and from it) suffer: one (a random one each burst), all, or a given <see cref="Node"/>.
/// </summary>
public sealed record JitterBurst(TimeSpan Amplitude, TimeSpan Length, TimeSpan Period, StallScope Scope, uint? Node, int Line)
{
    /// <summary>One datagram's extra delay in milliseconds during a burst.</summary>
    public double DrawMs(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return random.NextDouble() * Amplitude.TotalMilliseconds;
    }
}
