using Totem.Host.Ringbench.LocalRing;

namespace Totem.Host.Ringbench.Bench;

/// <summary>What one benchmark run does: repeats of cold start + kill, and the throughput workload.</summary>
public sealed record BenchOptions(RingSpec Spec, int Repeats, int Messages, int InFlight, IReadOnlyList<int> PayloadSizes)
{
    /// <summary>How often the survivors' GET /v1/status is polled while waiting for a membership.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Each repeat also cold-starts, kills and restarts a ring of corosync 3 processes in network namespaces.</summary>
    public bool Corosync { get; init; }
}
