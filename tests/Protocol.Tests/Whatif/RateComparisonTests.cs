using Totem.Protocol.Whatif;

namespace Totem.Protocol.Tests.Whatif;

public sealed class RateComparisonTests
{
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    [Fact]
    public void Rates_are_per_hour_over_each_sides_own_time()
    {
        // 10 real losses in 5 min against 60 predicted in 25 virtual min (5 seeds of 5 min): 120/h and 144/h.
        var c = RateComparison.Of(10, FiveMinutes, 60, TimeSpan.FromMinutes(25));
        Assert.Equal(120, c.MeasuredPerHour, 9);
        Assert.Equal(144, c.PredictedPerHour, 9);
        Assert.Equal(1.2, c.Ratio, 9);
        Assert.Equal(RateVerdict.Within, c.Verdict);
    }

    [Theory]
    [InlineData(10, 20, RateVerdict.Within)]   // exactly 2x: within
    [InlineData(10, 5, RateVerdict.Within)]    // exactly 1/2: within
    [InlineData(10, 21, RateVerdict.Outside)]
    [InlineData(10, 4, RateVerdict.Outside)]
    [InlineData(0, 3, RateVerdict.Outside)]    // events on one side only
    [InlineData(3, 0, RateVerdict.Outside)]
    [InlineData(0, 0, RateVerdict.NoEvents)]   // agreeing on nothing is no validation
    public void The_verdict_is_the_factor_both_ways(long measured, long predicted, RateVerdict verdict)
    {
        Assert.Equal(verdict, RateComparison.Of(measured, FiveMinutes, predicted, FiveMinutes).Verdict);
    }

    [Fact]
    public void The_ratio_says_when_a_side_has_no_events()
    {
        Assert.True(double.IsPositiveInfinity(RateComparison.Of(0, FiveMinutes, 3, FiveMinutes).Ratio));
        Assert.Equal(0, RateComparison.Of(3, FiveMinutes, 0, FiveMinutes).Ratio);
        Assert.True(double.IsNaN(RateComparison.Of(0, FiveMinutes, 0, FiveMinutes).Ratio));
    }

    [Fact]
    public void A_wider_factor_accepts_what_factor_2_refuses()
    {
        Assert.Equal(RateVerdict.Outside, RateComparison.Of(10, FiveMinutes, 25, FiveMinutes).Verdict);
        Assert.Equal(RateVerdict.Within, RateComparison.Of(10, FiveMinutes, 25, FiveMinutes, factor: 3).Verdict);
    }

    [Fact]
    public void Impossible_inputs_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RateComparison.Of(-1, FiveMinutes, 1, FiveMinutes));
        Assert.Throws<ArgumentOutOfRangeException>(() => RateComparison.Of(1, TimeSpan.Zero, 1, FiveMinutes));
        Assert.Throws<ArgumentOutOfRangeException>(() => RateComparison.Of(1, FiveMinutes, 1, FiveMinutes, factor: 1));
    }
}
