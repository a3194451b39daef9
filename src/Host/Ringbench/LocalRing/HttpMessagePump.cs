using System.Globalization;
using System.Net;
using System.Text;
using Totem.Host.Control;

namespace Totem.Host.Ringbench.LocalRing;

/// <summary>
/// Posts application messages to one node's POST /v1/messages with many requests in flight, as a busy
/// client would. A 503 (the node's queue is full: the ring is the bottleneck) is retried after a pause,
/// so every payload is accepted exactly once.
/// </summary>
public static class HttpMessagePump
{
    private static readonly TimeSpan FullQueuePause = TimeSpan.FromMilliseconds(5);

    /// <summary>Readable, unique payloads "s{sender}-{i}:" padded with '.' to <paramref name="size"/> bytes.</summary>
    public static byte[][] Payloads(int sender, int count, int size)
    {
        var result = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var head = string.Create(CultureInfo.InvariantCulture, $"s{sender}-{i}:");
            result[i] = Encoding.UTF8.GetBytes(head.Length >= size ? head : head.PadRight(size, '.'));
        }
        return result;
    }

    /// <summary>
    /// Sends every payload. The answer has the node's submission index of each payload (requests in
    /// flight together are accepted in any order) and how many times a full queue made it retry.
    /// </summary>
    public static async Task<PumpResult> SendAsync(ControlClient client, IReadOnlyList<byte[]> payloads, int inFlight, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1);
        var slots = new SemaphoreSlim(inFlight);
        long retries = 0;
        var indexes = new long[payloads.Count];
        var sends = new List<Task>(payloads.Count);
        for (var i = 0; i < payloads.Count; i++)
        {
            await slots.WaitAsync(ct).ConfigureAwait(false);
            sends.Add(SendOneAsync(i, payloads[i]));
        }
        await Task.WhenAll(sends).ConfigureAwait(false);
        return new PumpResult(indexes, Interlocked.Read(ref retries));

        async Task SendOneAsync(int i, byte[] payload)
        {
            try
            {
                while (true)
                {
                    try
                    {
                        indexes[i] = (await client.SendAsync(payload, ct).ConfigureAwait(false)).Index;
                        return;
                    }
                    catch (ControlApiException ex) when (ex.Status == HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref retries);
                        await Task.Delay(FullQueuePause, ct).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                slots.Release();
            }
        }
    }
}

/// <summary>What <see cref="HttpMessagePump.SendAsync"/> did: SubmissionIndexes[i] is the node's index for payload i.</summary>
public sealed record PumpResult(IReadOnlyList<long> SubmissionIndexes, long FullQueueRetries);
