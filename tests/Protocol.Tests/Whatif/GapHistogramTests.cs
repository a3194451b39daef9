using Totem.Protocol.Whatif;

namespace Totem.Protocol.Tests.Whatif;

public sealed class GapHistogramTests
{
    [Fact]
    public void Quantiles_are_within_the_bucket_resolution_and_the_maximum_is_exact()
    {
        var random = new Random(11);
        var values = Enumerable.Range(0, 50_000).Select(_ => 900 + random.NextDouble() * 200).ToArray();
        var h = new GapHistogram();
        foreach (var v in values) h.Add(v);
        var sorted = values.Order().ToArray();
        foreach (var q in new[] { 0.01, 0.5, 0.99, 0.999 })
        {
            var exact = sorted[(int)Math.Ceiling(q * sorted.Length) - 1];
            Assert.InRange(h.Quantile(q), exact, exact * 1.0011);
        }
        Assert.Equal(values.Max(), h.MaxMs);
        Assert.Equal(values.Length, h.Count);
        // To the bucket: the gaps in 1050's own bucket (at most 0.1 % above it) are not counted.
        Assert.InRange(h.CountAbove(1050), values.Count(v => v > 1050 * 1.001), values.Count(v => v > 1050));
    }

    [Fact]
    public void Merged_halves_equal_the_whole()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 2000).Select(_ => random.NextDouble() * 5000).ToArray();
        var whole = new GapHistogram();
        var a = new GapHistogram();
        var b = new GapHistogram();
        for (var i = 0; i < values.Length; i++)
        {
            whole.Add(values[i]);
            (i % 2 == 0 ? a : b).Add(values[i]);
        }
        a.Merge(b);
        Assert.Equal(whole.Count, a.Count);
        Assert.Equal(whole.MaxMs, a.MaxMs);
        Assert.Equal(whole.Quantile(0.9), a.Quantile(0.9));
        Assert.Equal(whole.CountAbove(2500), a.CountAbove(2500));
    }

    [Fact]
    public void An_empty_histogram_has_no_quantile_and_a_negative_gap_is_refused()
    {
        var h = new GapHistogram();
        Assert.True(double.IsNaN(h.Quantile(0.5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Add(-1));
    }
}
