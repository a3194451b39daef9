namespace Totem.Protocol.Whatif;

/// <summary>
/// Durations in milliseconds (the time a node's token-loss timer ran before the token came back) kept in logarithmic
/// buckets 0.1 % wide, so a day of a 30-node ring (tens of millions of gaps) fits in a fixed few hundred KiB and every
/// quantile is within 0.1 % of the exact one. The maximum and the count are exact.
/// </summary>
public sealed class GapHistogram : IEquatable<GapHistogram>
{
    private const double Floor = 0.01;
    private static readonly double LogRatio = Math.Log(1.001);
    private readonly Dictionary<int, long> _buckets = new();

    public long Count { get; private set; }
    public double MaxMs { get; private set; }
    public double SumMs { get; private set; }

    public void Add(double ms)
    {
        if (double.IsNaN(ms) || ms < 0) throw new ArgumentOutOfRangeException(nameof(ms), ms, "a gap is a duration of zero or more");
        var b = Bucket(ms);
        _buckets[b] = _buckets.GetValueOrDefault(b) + 1;
        Count++;
        SumMs += ms;
        if (ms > MaxMs) MaxMs = ms;
    }

    public void Clear()
    {
        _buckets.Clear();
        (Count, MaxMs, SumMs) = (0, 0, 0);
    }

    public void Merge(GapHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (b, n) in other._buckets) _buckets[b] = _buckets.GetValueOrDefault(b) + n;
        Count += other.Count;
        SumMs += other.SumMs;
        MaxMs = Math.Max(MaxMs, other.MaxMs);
    }

    /// <summary>The q-quantile (0 &lt;= q &lt;= 1): the value of the bucket holding it; NaN when empty.</summary>
    public double Quantile(double q)
    {
        if (q is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(q), q, "a quantile is in [0, 1]");
        if (Count == 0) return double.NaN;
        var rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        foreach (var b in _buckets.Keys.Order())
        {
            seen += _buckets[b];
            if (seen >= rank) return Math.Min(Value(b), MaxMs);
        }
        return MaxMs;
    }

    /// <summary>How many gaps were above <paramref name="ms"/> (to the bucket's resolution).</summary>
    public long CountAbove(double ms)
    {
        var limit = Bucket(ms);
        return _buckets.Where(kv => kv.Key > limit).Sum(kv => kv.Value);
    }

    /// <summary>The mean of (gap - u) over the gaps above u; 0 when none is above.</summary>
    public double MeanExcessAbove(double u)
    {
        var limit = Bucket(u);
        long n = 0;
        double sum = 0;
        foreach (var (b, count) in _buckets)
        {
            if (b <= limit) continue;
            n += count;
            sum += count * (Math.Min(Middle(b), MaxMs) - u);
        }
        return n == 0 ? 0 : Math.Max(0, sum / n);
    }

    /// <summary>Bucket b holds (Floor x r^(b-1), Floor x r^b]; the epsilon keeps an upper edge computed by <see cref="Value"/> in its own bucket.</summary>
    private static int Bucket(double ms) => ms <= Floor ? 0 : (int)Math.Ceiling(Math.Log(ms / Floor) / LogRatio - 1e-9);

    /// <summary>A bucket's upper edge: quantiles read from it never understate a gap.</summary>
    private static double Value(int bucket) => Floor * Math.Exp(bucket * LogRatio);

    /// <summary>A bucket's geometric middle: the mean excess's estimate of the gaps in it.</summary>
    private static double Middle(int bucket) => bucket == 0 ? Floor / 2 : Floor * Math.Exp((bucket - 0.5) * LogRatio);

    /// <summary>Same gaps to the buckets' resolution, same count, sum and maximum (a replayed seed gives an equal histogram).</summary>
    public bool Equals(GapHistogram? other) =>
        other is not null && Count == other.Count && SumMs.Equals(other.SumMs) && MaxMs.Equals(other.MaxMs)
        && _buckets.Count == other._buckets.Count && _buckets.All(kv => other._buckets.TryGetValue(kv.Key, out var n) && n == kv.Value);

    public override bool Equals(object? obj) => Equals(obj as GapHistogram);

    public override int GetHashCode() => HashCode.Combine(Count, SumMs, MaxMs);
}
