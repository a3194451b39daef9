using Totem.Host.Ringbench.LocalRing;

namespace Totem.Host.Ringbench.Bench;

/// <summary>What one benchmark run does: repeats of cold start + kill, and the throughput workload.</summary>
public sealed record BenchOptions(RingSpec Spec, int Repeats, int Messages, int InFlight, IReadOnlyList<int> PayloadSizes)
{
    /// <summary>How often the survivors' GET /v1/status is polled while waiting for a membership.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Also measure the HTTP path (one POST /v1/messages per message) in the same run, for comparison.</summary>
    public bool Http { get; init; }

    /// <summary>Messages per HTTP throughput run (the HTTP path is slow: fewer than through the client socket).</summary>
    public int HttpMessages { get; init; } = 10_000;

    /// <summary>Bytes one throughput run sends at most: large messages are fewer (a 64 KiB run is 64 MiB through every node).</summary>
    public const long MaxRunBytes = 64L * 1024 * 1024;

    /// <summary>Messages of one run of <paramref name="size"/>-byte messages: <see cref="Messages"/>, fewer for large ones, at least 100.</summary>
    public long MessagesFor(int size) => Math.Max(100, Math.Min(Messages, MaxRunBytes / Math.Max(1, size)));

    /// <summary>With crypto: rounds of the interleaved comparison with crypto none (<see cref="CryptoComparison"/>).</summary>
    public int CryptoRounds { get; init; } = 1;

    /// <summary>Each repeat also cold-starts, kills and restarts a ring of corosync 3 processes in network namespaces.</summary>
    public bool Corosync { get; init; }

    /// <summary>
    /// --corosync: each CPG sender keeps at most this many bytes of its own messages multicast and not yet delivered back
    /// (at least one message); 0 is no window. corosync drops an asynchronous CPG multicast its queue cannot reserve, so a
    /// sender without a window can lose messages (cpgbench.c explains it).
    /// </summary>
    public long CpgWindowBytes { get; init; } = DefaultCpgWindowBytes;

    /// <summary>--corosync: corosync keeps its default realtime scheduling (SCHED_RR 99) instead of sched_rr: no, in totemd's class (<see cref="Corosync.CorosyncScheduling"/>).</summary>
    public bool CorosyncRealtime { get; init; }

    /// <summary>One IPC request ring of libcpg (IPC_REQUEST_SIZE).</summary>
    public const long DefaultCpgWindowBytes = 1024 * 1024;
}
