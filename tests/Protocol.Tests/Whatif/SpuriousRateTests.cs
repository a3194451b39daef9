using Totem.Protocol.Whatif;

namespace Totem.Protocol.Tests.Whatif;

public sealed class SpuriousRateTests
{
    private static GapHistogram Exponential(int count, double offsetMs, double scaleMs, int seed)
    {
        var random = new Random(seed);
        var h = new GapHistogram();
        for (var i = 0; i < count; i++) h.Add(offsetMs - scaleMs * Math.Log(1 - random.NextDouble()));
        return h;
    }

    [Fact]
    public void The_tail_of_an_exponential_is_extrapolated_within_a_factor_of_two()
    {
        // Rotations of 100 ms plus an exponential of 10 ms: P(gap > T) = exp(-(T - 100) / 10), far beyond what a million
        // gaps show (their largest is near 240 ms). The fit's error grows with the distance: a factor 2 holds to 300 ms here.
        var h = Exponential(1_000_000, 100, 10, 1);
        foreach (var token in new[] { 200.0, 250.0, 300.0 })
        {
            var truth = Math.Exp(-(token - 100) / 10);
            var estimate = SpuriousRate.ExceedanceProbability(h, token);
            Assert.InRange(estimate / truth, 0.5, 2.0);
        }
    }

    [Fact]
    public void Below_the_tail_threshold_the_measured_share_is_used()
    {
        var h = Exponential(10_000, 100, 10, 2);
        Assert.Equal(h.CountAbove(110) / 10_000.0, SpuriousRate.ExceedanceProbability(h, 110));
    }

    [Fact]
    public void A_lighter_tail_than_exponential_is_overestimated_never_underestimated()
    {
        // Normal jitter: the exponential fit errs towards more losses (the advisor's recommendation errs safe).
        var random = new Random(3);
        var h = new GapHistogram();
        for (var i = 0; i < 100_000; i++)
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            h.Add(Math.Max(0, 200 + 5 * z));
        }
        // P(normal(200, 5) > 230) = P(z > 6) ~ 1e-9.
        Assert.True(SpuriousRate.ExceedanceProbability(h, 230) > 1e-9);
    }

    [Fact]
    public void Rates_scale_with_the_observed_time_and_shrink_with_the_token()
    {
        var h = Exponential(100_000, 100, 10, 4);
        var day = SpuriousRate.TokenLossesPerYear(h, TimeSpan.FromDays(1), 200);
        Assert.Equal(day / 2, SpuriousRate.TokenLossesPerYear(h, TimeSpan.FromDays(2), 200), day * 1e-9);
        Assert.True(SpuriousRate.TokenLossesPerYear(h, TimeSpan.FromDays(1), 250) < day);
        Assert.Equal(365.25 * 3, SpuriousRate.ObservedPerYear(3, TimeSpan.FromDays(1)), 1e-9);
    }

    [Fact]
    public void Stalls_count_when_their_length_and_the_longest_quiet_rotation_reach_the_token()
    {
        StallEvent[] stalls =
        [
            new(TimeSpan.FromMilliseconds(400), TimeSpan.FromMinutes(10), StallScope.OneNode, null, 1),
            new(TimeSpan.FromSeconds(6), TimeSpan.FromDays(1), StallScope.AllNodes, null, 2),
        ];
        Assert.Equal(365.25 * (144 + 1), SpuriousRate.StallLossesPerYear(stalls, 700, 1000), 1e-6);
        Assert.Equal(365.25, SpuriousRate.StallLossesPerYear(stalls, 700, 5000), 1e-6);
        Assert.Equal(0, SpuriousRate.StallLossesPerYear(stalls, 700, 7000));
    }
}
