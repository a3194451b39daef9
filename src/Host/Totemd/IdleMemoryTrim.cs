namespace Totem.Host.Totemd;

/// <summary>
/// Gives memory back once traffic stops. During a burst the heap grows to hold what is in flight (the send queue, frames
/// waiting for the token or for their aru, client batches, delivery frames) and the GC keeps what it grew to, garbage
/// and all, until allocation resumes: a node that carried a throughput run sat at 85-145 MiB for as long as it was
/// idle (ringbench, main 779c091). So when at least <see cref="BusyBytes"/> were allocated since the last trim and
/// one interval allocated less than <see cref="IdleBytes"/>, one blocking, compacting, aggressive gen-2 collection
/// runs: it decommits the free space. Never during traffic (a pause of a few ms on a quiet node costs the ring
/// nothing: the token timeout is seconds), and once per burst.
/// </summary>
public sealed class IdleMemoryTrim(TimeSpan interval, Serilog.ILogger log)
{
    /// <summary>Allocated since the last trim before another is worth its pause: a few intervals of traffic, not the idle node's own ticks.</summary>
    public const long BusyBytes = 64L * 1024 * 1024;

    /// <summary>At most this allocated in one interval is idle (an idle node's timers, status polls and token rotations allocate far less).</summary>
    public const long IdleBytes = 1024 * 1024;

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    /// <summary>Whether to trim now, given the bytes allocated since the last trim and in the interval just ended.</summary>
    public static bool ShouldTrim(long allocatedSinceTrim, long allocatedThisInterval) =>
        allocatedSinceTrim >= BusyBytes && allocatedThisInterval < IdleBytes;

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        var last = GC.GetTotalAllocatedBytes();
        var sinceTrim = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var now = GC.GetTotalAllocatedBytes();
                var step = now - last;
                last = now;
                sinceTrim += step;
                if (!ShouldTrim(sinceTrim, step)) continue;
                var before = GC.GetGCMemoryInfo().HeapSizeBytes;
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                log.Debug("Memory trimmed after {Allocated} MiB of traffic: GC heap {Before:0.0} -> {After:0.0} MiB",
                    sinceTrim / (1024 * 1024), before / (1024.0 * 1024), GC.GetGCMemoryInfo().HeapSizeBytes / (1024.0 * 1024));
                sinceTrim = 0;
                last = GC.GetTotalAllocatedBytes();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
