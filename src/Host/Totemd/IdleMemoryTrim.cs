namespace Totem.Host.Totemd;

/// <summary>
/// Gives memory back once traffic stops. During a burst the heap grows to hold what is in flight (the send queue, frames
/// waiting for the token or for their aru, client batches, delivery frames) and the GC keeps what it grew to, garbage
/// and all, until allocation resumes: a node that carried a throughput run sat at 85-145 MiB for as long as it was
/// idle (ringbench, main 779c091). So when the working set grew by <see cref="GrowthBytes"/> since the last trim (or
/// the start) and one interval allocated less than <see cref="IdleBytes"/>, one blocking, compacting, aggressive gen-2
/// collection runs: it decommits the free space. Never during traffic (a pause of a few ms on a quiet node costs the
/// ring nothing: the token timeout is seconds), and once per growth.
/// </summary>
public sealed class IdleMemoryTrim(TimeSpan interval, Serilog.ILogger log)
{
    /// <summary>Growth of the working set since the last trim that is worth a collection's pause.</summary>
    public const long GrowthBytes = 8L * 1024 * 1024;

    /// <summary>At most this allocated in one interval is idle (an idle node's timers, status polls and token rotations allocate far less).</summary>
    public const long IdleBytes = 1024 * 1024;

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    /// <summary>Whether to trim now, given the working set's growth since the last trim and the bytes allocated in the interval just ended.</summary>
    public static bool ShouldTrim(long growthSinceTrim, long allocatedThisInterval) =>
        growthSinceTrim >= GrowthBytes && allocatedThisInterval < IdleBytes;

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        var last = GC.GetTotalAllocatedBytes();
        var baseline = Environment.WorkingSet;
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var now = GC.GetTotalAllocatedBytes();
                var step = now - last;
                last = now;
                var workingSet = Environment.WorkingSet;
                // Shrinking on its own (the GC decommitted) lowers the mark: growth is counted from the lowest point since.
                baseline = Math.Min(baseline, workingSet);
                if (!ShouldTrim(workingSet - baseline, step)) continue;
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                baseline = Environment.WorkingSet;
                log.Debug("Memory trimmed once traffic stopped: working set {Before:0.0} -> {After:0.0} MiB",
                    workingSet / (1024.0 * 1024), baseline / (1024.0 * 1024));
                last = GC.GetTotalAllocatedBytes();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
