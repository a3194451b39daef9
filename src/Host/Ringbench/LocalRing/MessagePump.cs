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
public static class MessagePump
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

    /// <summary>Sends every payload; returns how many times a full queue made it retry.</summary>
    public static async Task<long> SendAsync(ControlClient client, IReadOnlyList<byte[]> payloads, int inFlight, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1);
        var slots = new SemaphoreSlim(inFlight);
        long retries = 0;
        var sends = new List<Task>(payloads.Count);
        foreach (var payload in payloads)
        {
            await slots.WaitAsync(ct).ConfigureAwait(false);
            sends.Add(SendOneAsync(payload));
        }
        await Task.WhenAll(sends).ConfigureAwait(false);
        return Interlocked.Read(ref retries);

        async Task SendOneAsync(byte[] payload)
        {
            try
            {
                while (true)
                {
                    try
                    {
                        await client.SendAsync(payload, ct).ConfigureAwait(false);
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
