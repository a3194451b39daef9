namespace Totem.Host.Ringbench.Bench;

/// <summary>What a ring has spent so far, summed over its nodes: CPU time of their processes and three of their /metrics counters.</summary>
public readonly record struct RingCounters(TimeSpan Cpu, long DatagramsSent, long Retransmits, long Tokens)
{
    public static async Task<RingCounters> ReadAsync(LocalRing.LocalRing ring, CancellationToken ct)
    {
        long sent = 0, retransmits = 0, tokens = 0;
        foreach (var n in ring.NodeIds)
        {
            var text = await ring.Client(n).GetMetricsTextAsync(ct).ConfigureAwait(false);
            sent += Counter(text, n, "totem_datagrams_sent_total");
            retransmits += Counter(text, n, "totem_retransmits_total");
            tokens += Counter(text, n, "totem_tokens_received_total");
        }
        return new RingCounters(CpuOf(ring), sent, retransmits, tokens);
    }

    /// <summary>CPU time of the ring's current processes; a process that is gone counts nothing (the comparison's rings never lose one).</summary>
    public static TimeSpan CpuOf(LocalRing.LocalRing ring) =>
        ring.NodeIds.Aggregate(TimeSpan.Zero, (sum, n) => sum + (ring.Process(n).CpuTime() ?? TimeSpan.Zero));

    private static long Counter(string exposition, int node, string name) =>
        (long)(LocalRing.Metrics.Sample(exposition, name) ?? throw new InvalidOperationException($"node {node}'s /metrics has no sample {name}"));

    public static RingCounters operator -(RingCounters after, RingCounters before) =>
        new(after.Cpu - before.Cpu, after.DatagramsSent - before.DatagramsSent, after.Retransmits - before.Retransmits, after.Tokens - before.Tokens);
}
