namespace Totem.Nodes.Simulator;

/// <summary>
/// What the simulated network does to datagrams on a link: loss, duplication, a base delay and a
/// uniformly drawn jitter on top (jitter is what reorders datagrams).
/// </summary>
public sealed record LinkConditions(double LossProbability, double DuplicateProbability, TimeSpan Delay, TimeSpan Jitter)
{
    public static LinkConditions Perfect { get; } = new(0, 0, TimeSpan.Zero, TimeSpan.Zero);

    public LinkConditions Validate()
    {
        if (LossProbability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(LossProbability), LossProbability, "must be within 0..1");
        if (DuplicateProbability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(DuplicateProbability), DuplicateProbability, "must be within 0..1");
        if (Delay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Delay), Delay, "must not be negative");
        if (Jitter < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Jitter), Jitter, "must not be negative");
        return this;
    }
}
