using System.Globalization;

namespace Totem.Host.Ringbench.LocalRing;

/// <summary>Reads one sample from GET /metrics (Prometheus text exposition).</summary>
public static class Metrics
{
    public static double? Sample(string exposition, string name)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.Length <= name.Length || !line.StartsWith(name, StringComparison.Ordinal) || line[name.Length] != ' ') continue;
            return double.Parse(line.AsSpan(name.Length + 1), NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        return null;
    }

    public static async Task<long> CounterAsync(LocalRing ring, int node, string name, CancellationToken ct = default)
    {
        var text = await ring.Client(node).GetMetricsTextAsync(ct).ConfigureAwait(false);
        return (long)(Sample(text, name) ?? throw new InvalidOperationException($"node {node}'s /metrics has no sample {name}"));
    }
}
