namespace Totem.Protocol.Whatif;

/// <summary>
/// How often a token timeout of T fires on a ring where no node failed, per year, from what a run of some virtual hours
/// measured. A day's run sees no loss at a token the rare gaps never reach, which says nothing about "under one a year"
/// (3 / day is the 95 % bound of zero events in a day); so below the observed events the rate is extrapolated from the
/// tail of the measured token-loss-timer gaps: an exponential fitted to the gaps above a high quantile (peaks over a
/// threshold with a shape of zero). Normal jitter has a lighter tail than the exponential and stalls of fixed length
/// have none past their length, so the extrapolation errs towards more losses; counting every node's gaps as separate
/// chances to lose the token does too (a ring's nodes see nearly the same rotation). Stalls are not extrapolated: their
/// lengths are known from the profile, and a stall of d can hold the token back by at most d, so every stall with
/// d + the longest rotation the network alone made &gt;= T counts as a loss (<see cref="StallLossesPerYear"/>).
/// </summary>
public static class SpuriousRate
{
    private const double HoursPerYear = 24 * 365.25;

    /// <summary>The fewest gaps the tail fit stands on (it uses the top 0.1 % when that is more).</summary>
    public const int TailSamples = 50;

    /// <summary>Token-loss-timer expiries per year at <paramref name="tokenMs"/>: measured gaps above it, else the tail's extrapolation.</summary>
    public static double TokenLossesPerYear(GapHistogram gaps, TimeSpan observed, double tokenMs)
    {
        ArgumentNullException.ThrowIfNull(gaps);
        if (observed <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(observed), observed, "the run must have lasted");
        if (gaps.Count == 0) return double.PositiveInfinity;
        var gapsPerYear = gaps.Count / observed.TotalHours * HoursPerYear;
        return gapsPerYear * ExceedanceProbability(gaps, tokenMs);
    }

    /// <summary>P(gap &gt; T): the empirical share where the tail has data, the fitted exponential beyond the threshold.</summary>
    public static double ExceedanceProbability(GapHistogram gaps, double tokenMs)
    {
        ArgumentNullException.ThrowIfNull(gaps);
        if (gaps.Count == 0) return 1;
        var k = Math.Max(TailSamples, gaps.Count / 1000);
        if (k >= gaps.Count) k = Math.Max(1, gaps.Count / 2);
        var threshold = gaps.Quantile(1.0 - (double)k / gaps.Count);
        var above = gaps.CountAbove(threshold);
        if (tokenMs <= threshold || above == 0) return (double)gaps.CountAbove(tokenMs) / gaps.Count;
        var scale = gaps.MeanExcessAbove(threshold);
        if (scale <= 0) return 0;
        return (double)above / gaps.Count * Math.Exp(-(tokenMs - threshold) / scale);
    }

    /// <summary>
    /// Losses a year the profile's stalls can cause at <paramref name="tokenMs"/>: each stall whose length plus the longest
    /// rotation without a stall reaches the token, at its rate (all of them, though only those that catch the token on
    /// its way hold it back: an upper estimate).
    /// </summary>
    public static double StallLossesPerYear(IEnumerable<StallEvent> stalls, double quietMaxGapMs, double tokenMs)
    {
        ArgumentNullException.ThrowIfNull(stalls);
        return stalls.Where(s => s.Duration.TotalMilliseconds + quietMaxGapMs >= tokenMs).Sum(s => HoursPerYear / s.Period.TotalHours);
    }

    /// <summary>Events observed in a run, per year.</summary>
    public static double ObservedPerYear(int events, TimeSpan observed) =>
        observed <= TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(observed), observed, "the run must have lasted") : events / observed.TotalHours * HoursPerYear;
}
