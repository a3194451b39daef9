using System.Diagnostics;

namespace Totem.Client;

/// <summary>What a <see cref="MessagePump"/> run sends: how many messages, how fast, in batches of what size.</summary>
/// <param name="RatePerSecond">Messages per second; 0: as fast as the node takes them.</param>
/// <param name="Window">Batches in flight at once (the node answers them in order).</param>
/// <param name="MaxBatchBytes">
/// A batch the node refuses (TRY_AGAIN) has crossed the socket and been decoded for nothing: batches of large
/// messages are kept small so that a full queue costs little and a batch fits again soon.
/// </param>
public sealed record PumpOptions(long Count, double RatePerSecond, int MaxBatchMessages = 256, int MaxBatchBytes = 64 * 1024, int Window = 8)
{
    /// <summary>Waited before a batch the node answered TRY_AGAIN is sent again; doubled while TRY_AGAINs follow each other, up to <see cref="MaxTryAgainPause"/>.</summary>
    public TimeSpan TryAgainPause { get; init; } = TimeSpan.FromMilliseconds(1);

    public TimeSpan MaxTryAgainPause { get; init; } = TimeSpan.FromMilliseconds(16);
}

/// <summary>What a run did: messages the node accepted, how long it took until the last answer, how often it said TRY_AGAIN.</summary>
public sealed record PumpReport(long Accepted, long Batches, long TryAgains, TimeSpan Elapsed)
{
    public double MessagesPerSecond => Elapsed > TimeSpan.Zero ? Accepted / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Sends <see cref="PumpOptions.Count"/> messages through one client at a steady rate (or flat out): message i is due
/// at i / rate seconds; whatever is due goes out as one batch; up to <see cref="PumpOptions.Window"/> batches are in
/// flight; a batch answered TRY_AGAIN (the node's send queue is full) is sent again after a pause, whole.
/// What totemctl send --rate and ringbench's throughput and latency runs use.
/// </summary>
public static class MessagePump
{
    /// <param name="message">Message i's bytes.</param>
    /// <param name="sending">Called with the first message number and the count just before a batch is written (again on a resend).</param>
    public static async Task<PumpReport> RunAsync(TotemClient client, PumpOptions options, Func<long, ReadOnlyMemory<byte>> message,
        Action<long, int>? sending, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Window, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchMessages, 1);
        var clock = Stopwatch.StartNew();
        var inFlight = new Queue<(Task<BatchAnswer> Answer, long First, ReadOnlyMemory<byte>[] Batch)>();
        var retry = new Queue<(long First, ReadOnlyMemory<byte>[] Batch)>();
        long next = 0, accepted = 0, batches = 0, tryAgains = 0;
        var pause = options.TryAgainPause;
        while (next < options.Count || inFlight.Count > 0 || retry.Count > 0)
        {
            var due = options.RatePerSecond > 0
                ? Math.Min(options.Count, (long)(clock.Elapsed.TotalSeconds * options.RatePerSecond) + 1)
                : options.Count;
            while (inFlight.Count < options.Window && (retry.Count > 0 || next < due))
            {
                var (first, batch) = retry.Count > 0 ? retry.Dequeue() : Take(ref next, due, options, message);
                sending?.Invoke(first, batch.Length);
                inFlight.Enqueue((client.MulticastAsync(batch, ct), first, batch));
                batches++;
            }
            if (inFlight.Count == 0)
            {
                if (next < options.Count) await Task.Delay(Until(next, options.RatePerSecond, clock), ct).ConfigureAwait(false);
                continue;
            }
            var head = inFlight.Peek();
            if (!head.Answer.IsCompleted && inFlight.Count < options.Window && next < options.Count && options.RatePerSecond > 0)
            {
                // Paced: wake for the next due message even while the oldest answer is outstanding.
                await Task.WhenAny(head.Answer, Task.Delay(Until(next, options.RatePerSecond, clock), ct)).ConfigureAwait(false);
                if (!head.Answer.IsCompleted) continue;
            }
            var answer = await head.Answer.ConfigureAwait(false);
            inFlight.Dequeue();
            if (answer.Accepted)
            {
                accepted += head.Batch.Length;
                pause = options.TryAgainPause;
                continue;
            }
            tryAgains++;
            retry.Enqueue((head.First, head.Batch));
            await Task.Delay(pause, ct).ConfigureAwait(false);
            pause = pause * 2 < options.MaxTryAgainPause ? pause * 2 : options.MaxTryAgainPause;
        }
        return new PumpReport(accepted, batches, tryAgains, clock.Elapsed);
    }

    private static (long First, ReadOnlyMemory<byte>[] Batch) Take(ref long next, long due, PumpOptions options, Func<long, ReadOnlyMemory<byte>> message)
    {
        var first = next;
        var batch = new List<ReadOnlyMemory<byte>>();
        var bytes = 0;
        while (next < due && batch.Count < options.MaxBatchMessages)
        {
            var m = message(next);
            if (batch.Count > 0 && bytes + m.Length > options.MaxBatchBytes) break;
            batch.Add(m);
            bytes += m.Length;
            next++;
        }
        return (first, [.. batch]);
    }

    private static TimeSpan Until(long message, double rate, Stopwatch clock)
    {
        if (rate <= 0) return TimeSpan.Zero;
        var wait = TimeSpan.FromSeconds(message / rate) - clock.Elapsed;
        return wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1);
    }
}
