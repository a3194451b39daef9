namespace Totem.Protocol.Whatif;

/// <summary>The variable part of a datagram's one-way delay, added to the profile's latency; never negative.</summary>
public abstract record DelayJitter
{
    public static DelayJitter None { get; } = new Normal(0, 0);

    public abstract double DrawMs(Random random);

    /// <summary>normal(mean, sd) in milliseconds, cut at 0 (a datagram cannot arrive before it left).</summary>
    public sealed record Normal(double MeanMs, double StandardDeviationMs) : DelayJitter
    {
        public override double DrawMs(Random random)
        {
            ArgumentNullException.ThrowIfNull(random);
            if (StandardDeviationMs == 0) return Math.Max(0, MeanMs);
            // Box-Muller: 1 - NextDouble() is in (0, 1], so the logarithm is finite.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            return Math.Max(0, MeanMs + StandardDeviationMs * z);
        }
    }

    /// <summary>
    /// Uniform in [min, max] milliseconds: what a node's own fault injection draws (`totemctl fault delay D --jitter J` holds
    /// each datagram D +- J ms), so a profile written this way can be replayed on a real ring exactly.
    /// </summary>
    public sealed record Uniform(double MinMs, double MaxMs) : DelayJitter
    {
        public override double DrawMs(Random random)
        {
            ArgumentNullException.ThrowIfNull(random);
            return MinMs + random.NextDouble() * (MaxMs - MinMs);
        }
    }

    /// <summary>Measured one-way delays in milliseconds (half of each round trip measured), drawn uniformly.</summary>
    public sealed record Sampled(IReadOnlyList<double> OneWayMs) : DelayJitter
    {
        public override double DrawMs(Random random)
        {
            ArgumentNullException.ThrowIfNull(random);
            return OneWayMs[random.Next(OneWayMs.Count)];
        }
    }
}
