namespace Totem.Nodes.Transport;

/// <summary>
/// The counters of one link to one host, kept by <see cref="LinkedTransport"/> under its lock: what knet's
/// stats.knet.nodeN.linkM.* count, and the last round trips for the latency percentiles.
/// </summary>
internal sealed class LinkStats
{
    /// <summary>Round trips kept for the percentiles: at the default ping interval, the last minute or so.</summary>
    private const int Window = 128;

    private readonly double[] _latencies = new double[Window];
    private int _next;

    public long PingsSent;
    public long PongsReceived;
    public long LatencySamples;
    public long TxDataPackets;
    public long TxDataBytes;
    public long RxDataPackets;
    public long RxDataBytes;
    public long Dropped;
    public long UpCount;
    public long DownCount;

    public void AddLatency(TimeSpan roundTrip)
    {
        _latencies[_next] = roundTrip.TotalMilliseconds;
        _next = (_next + 1) % Window;
        LatencySamples++;
    }

    /// <summary>The nearest-rank percentile (0..100] of the kept round trips; null before the first.</summary>
    public double? Latency(double percentile)
    {
        var count = (int)Math.Min(LatencySamples, Window);
        if (count == 0) return null;
        var sorted = _latencies.AsSpan(0, count).ToArray();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(percentile / 100.0 * count);
        return sorted[Math.Clamp(rank, 1, count) - 1];
    }
}
