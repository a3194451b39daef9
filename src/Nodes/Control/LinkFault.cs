using System.Globalization;

namespace Totem.Nodes.Control;

/// <summary>
/// Impairment of the datagrams this node sends on one link, in the spirit of netem: hold each back
/// by <see cref="DelayMs"/> plus or minus up to <see cref="JitterMs"/> (uniform), and drop
/// <see cref="LossPercent"/> percent of them. Construction validates; invalid values never exist.
/// </summary>
public sealed record LinkFault
{
    public const uint MaxDelayMs = 60_000;

    public static LinkFault None { get; } = new(0, 0, 0);

    public LinkFault(uint delayMs, uint jitterMs, double lossPercent)
    {
        var problem = Check(delayMs, jitterMs, lossPercent);
        if (problem is not null) throw new ArgumentOutOfRangeException(nameof(delayMs), problem);
        DelayMs = delayMs;
        JitterMs = jitterMs;
        LossPercent = lossPercent;
    }

    public uint DelayMs { get; }
    public uint JitterMs { get; }
    public double LossPercent { get; }

    public bool IsNone => DelayMs == 0 && JitterMs == 0 && LossPercent == 0;

    /// <summary>Null when the values make a valid fault, else what is wrong with them.</summary>
    public static string? Check(uint delayMs, uint jitterMs, double lossPercent)
    {
        if (delayMs > MaxDelayMs) return $"delay {delayMs} ms is above the maximum of {MaxDelayMs} ms";
        if (jitterMs > MaxDelayMs) return $"jitter {jitterMs} ms is above the maximum of {MaxDelayMs} ms";
        if (double.IsNaN(lossPercent) || lossPercent < 0 || lossPercent > 100)
            return $"loss {lossPercent.ToString(CultureInfo.InvariantCulture)}% is outside 0..100%";
        return null;
    }

    /// <summary>
    /// The fate of one datagram given two uniform draws in [0, 1): null to drop it, else how long to
    /// hold it back. Pure, so the node's shaper only supplies randomness and tests supply fixed draws.
    /// </summary>
    public TimeSpan? Decide(double lossDraw, double jitterDraw)
    {
        if (LossPercent > 0 && lossDraw * 100.0 < LossPercent) return null;
        var ms = DelayMs + (jitterDraw * 2.0 - 1.0) * JitterMs;
        return ms <= 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(ms);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"delay {DelayMs}ms jitter {JitterMs}ms loss {LossPercent}%");
}
