using System.Buffers;
using System.Net.Sockets;
using System.Threading.Channels;
using Totem.Nodes.Control;
using Totem.Protocol.Client;

namespace Totem.Host.Totemd.ClientSocket;

/// <summary>
/// One client of the local socket. The reader decodes frames and hands each batch to the node (the same
/// <see cref="INodeControl.SubmitBatchAsync"/> as HTTP: told to TokenHolder, no Ask); the writer sends the answers in
/// batch order, then whatever the node delivered since (when subscribed), straight from the node's delivered log.
/// Back-pressure: a batch refused for a full queue is answered TRY_AGAIN (nothing of it queued); and the bytes of the
/// batches waiting for their answer are bounded (<see cref="ClientLimits.MaxInflightBytes"/>): beyond it the reader
/// stops reading, so the client's writes block in its socket buffer. Bad input (a malformed frame, an unknown type,
/// an oversize frame or message, a disconnect mid-frame) gets an error frame where the client still listens, and the
/// connection is closed; the node and the other clients go on.
/// </summary>
public sealed class ClientConnection(long id, Socket socket, INodeControl node, ClientLimits limits, Serilog.ILogger log)
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    // Bounded twice: by the bytes of the frames waiting (the in-flight budget) and by their number, so that a client
    // flooding tiny frames without reading its answers stops being read too.
    private readonly Channel<Pending> _pending = Channel.CreateBounded<Pending>(new BoundedChannelOptions(MaxPending) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private const int MaxPending = 1024;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<bool> _room = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _abort = new();
    private long _inflightBytes;
    // The writer's alone.
    private IDeliveryFeed? _feed;
    private SubscribeTo _subscribed;
    private volatile ClientError? _fatal;
    private volatile bool _readerDone;

    /// <summary>A batch handed to the node and the bytes it holds until its answer is written; no answer task: a subscription to confirm.</summary>
    private sealed record Pending(uint BatchId, int Count, int Bytes, Task<SubmitResult>? Answer, SubscribeTo Subscription = 0)
    {
        public bool Decided => Answer is null || Answer.IsCompleted;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _abort.Token);
        log.Debug("Client {Client} connected", id);
        var reader = ReadAsync(linked.Token);
        var writer = WriteAsync(linked.Token);
        try
        {
            await Task.WhenAny(reader, writer).ConfigureAwait(false);
            // The writer ends last when the reader stopped (answers still to send); either ending closes the connection.
            if (reader.IsCompleted) await writer.ConfigureAwait(false);
            await linked.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(reader, writer).ConfigureAwait(false);
        }
        finally
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
            log.Debug("Client {Client} closed", id);
        }
    }

    /// <summary>The node stops: the connection ends without waiting for answers.</summary>
    public void Abort() => _abort.Cancel();

    /// <summary>Sends one error frame to a client that is not admitted, then closes it.</summary>
    public async Task RefuseAsync(ClientError error)
    {
        try
        {
            await _stream.WriteAsync(ClientFrameCodec.Encode(error)).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // It left already.
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ReadAsync(CancellationToken ct)
    {
        var prefix = new byte[ClientFrameCodec.LengthBytes];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var got = await _stream.ReadAtLeastAsync(prefix, prefix.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
                if (got == 0) break;
                if (got < prefix.Length)
                {
                    Fail(ClientErrorCode.MalformedFrame, $"the connection ended inside a frame's length prefix ({got} of {prefix.Length} bytes)", disconnected: true);
                    break;
                }
                if (ClientFrameCodec.ReadLength(prefix, out var lengthProblem) is not { } length)
                {
                    Fail(ClientErrorCode.TooLarge, lengthProblem!, disconnected: false);
                    break;
                }
                var frame = new byte[length];
                got = await _stream.ReadAtLeastAsync(frame, length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
                if (got < length)
                {
                    Fail(ClientErrorCode.MalformedFrame, $"the connection ended inside a frame: {got} of its {length} bytes arrived", disconnected: true);
                    break;
                }
                var decoded = ClientFrameCodec.Decode(frame);
                if (!decoded.IsSuccess)
                {
                    Fail(decoded.Error.Value, decoded.Detail, disconnected: false);
                    break;
                }
                if (!await HandleAsync(decoded.Frame, length, ct).ConfigureAwait(false)) break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException && ct.IsCancellationRequested || ex is IOException or ObjectDisposedException)
        {
            // The node stops, or the client's socket broke: nothing to answer.
        }
        finally
        {
            _readerDone = true;
            _wake.Writer.TryWrite(true);
        }
    }

    /// <summary>False when the frame ends the connection.</summary>
    private async Task<bool> HandleAsync(ClientFrame frame, int length, CancellationToken ct)
    {
        switch (frame)
        {
            case MulticastBatch batch:
                await WaitForRoomAsync(length, ct).ConfigureAwait(false);
                Interlocked.Add(ref _inflightBytes, length);
                await _pending.Writer.WriteAsync(new Pending(batch.BatchId, batch.Messages.Count, length, Submit(batch.Messages, ct)), ct).ConfigureAwait(false);
                _wake.Writer.TryWrite(true);
                return true;
            case Subscribe subscribe:
                // Opened by the writer in the answers' order: the first delivery comes after the Subscribed frame.
                await WaitForRoomAsync(length, ct).ConfigureAwait(false);
                Interlocked.Add(ref _inflightBytes, length);
                await _pending.Writer.WriteAsync(new Pending(0, 0, length, null, subscribe.What), ct).ConfigureAwait(false);
                _wake.Writer.TryWrite(true);
                return true;
            default:
                Fail(ClientErrorCode.UnknownFrameType, $"a {frame.GetType().Name} frame is one a node sends, never receives", disconnected: false);
                return false;
        }
    }

    /// <summary>The node's answer; a node that does not answer in time (TokenHolder restarting) is a TRY_AGAIN too.</summary>
    private async Task<SubmitResult> Submit(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken ct)
    {
        try
        {
            return await node.SubmitBatchAsync(messages, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return SubmitResult.Refused(SubmitRefusal.QueueFull, "the node did not answer in time");
        }
    }

    private async Task WaitForRoomAsync(int bytes, CancellationToken ct)
    {
        // One frame always fits an empty budget (max-inflight-bytes is at least the largest frame).
        while (Interlocked.Read(ref _inflightBytes) > 0 && Interlocked.Read(ref _inflightBytes) + bytes > limits.MaxInflightBytes)
        {
            _room.Reader.TryRead(out _);
            if (Interlocked.Read(ref _inflightBytes) + bytes <= limits.MaxInflightBytes) break;
            await _room.Reader.WaitToReadAsync(ct).ConfigureAwait(false);
        }
    }

    private void Fail(ClientErrorCode code, string message, bool disconnected)
    {
        log.Warning("Client {Client} dropped: {Problem}", id, message);
        if (!disconnected) _fatal = new ClientError(code, message);
    }

    private async Task WriteAsync(CancellationToken ct)
    {
        var items = new List<FeedItem>();
        var deliveries = new List<ClientDelivery>();
        // Not disposed here: RunAsync closes the socket under it once both halves are done.
        var output = new BufferedStream(_stream, 64 * 1024);
        try
        {
            while (true)
            {
                _wake.Reader.TryRead(out _);
                var wrote = await WriteAnswersAsync(output, ct).ConfigureAwait(false);
                if (_feed is { } feed)
                {
                    items.Clear();
                    try
                    {
                        feed.Read(items, 512);
                    }
                    catch (DeliveriesForgottenException ex)
                    {
                        Fail(ClientErrorCode.FellBehind, ex.Message, disconnected: false);
                    }
                    if (items.Count > 0)
                    {
                        await WriteDeliveriesAsync(output, items, deliveries, ct).ConfigureAwait(false);
                        wrote = true;
                    }
                }
                if (_fatal is { } fatal)
                {
                    await WriteFrameAsync(output, fatal, ct).ConfigureAwait(false);
                    await output.FlushAsync(ct).ConfigureAwait(false);
                    return;
                }
                if (wrote) continue;
                await output.FlushAsync(ct).ConfigureAwait(false);
                if (_readerDone && !_pending.Reader.TryPeek(out _)) return;
                await WaitAsync(ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException && ct.IsCancellationRequested || ex is IOException or ObjectDisposedException)
        {
            // The node stops, or the client went away.
        }
        finally
        {
            // Wake a reader held back by the in-flight bound: the connection is ending.
            _abort.Cancel();
        }
    }

    /// <summary>The answers whose batches the node has decided, in batch order; true if any was written.</summary>
    private async Task<bool> WriteAnswersAsync(Stream output, CancellationToken ct)
    {
        var wrote = false;
        while (_pending.Reader.TryPeek(out var next) && next.Decided)
        {
            _pending.Reader.TryRead(out _);
            var frame = next.Answer is null ? Subscribe(next.Subscription) : Answer(next, await next.Answer.ConfigureAwait(false));
            if (frame is not null) await WriteFrameAsync(output, frame, ct).ConfigureAwait(false);
            if (next.Bytes > 0)
            {
                Interlocked.Add(ref _inflightBytes, -next.Bytes);
                _room.Writer.TryWrite(true);
            }
            wrote = true;
            if (_fatal is not null) break;
        }
        return wrote;
    }

    /// <summary>A second subscription changes what the first one sends; the feed goes on where it was.</summary>
    private Subscribed Subscribe(SubscribeTo what)
    {
        _feed ??= node.OpenDeliveryFeed();
        _subscribed = what;
        return new Subscribed(_feed.Next);
    }

    private ClientFrame? Answer(Pending pending, SubmitResult result)
    {
        if (result.Accepted) return new BatchAccepted(pending.BatchId, pending.Count, result.SubmissionIndex);
        switch (result.Refusal)
        {
            case SubmitRefusal.QueueFull:
                return new BatchTryAgain(pending.BatchId, result.Reason ?? "the send queue is full");
            case SubmitRefusal.Stopping:
                Fail(ClientErrorCode.Stopping, result.Reason ?? "the node is stopping", disconnected: false);
                return null;
            default:
                Fail(ClientErrorCode.TooLarge, $"batch {pending.BatchId}: {result.Reason}", disconnected: false);
                return null;
        }
    }

    /// <summary>Messages packed into frames of about <see cref="ClientLimits.DeliveryFrameBytes"/>; configurations as their own frames, in place.</summary>
    private async Task WriteDeliveriesAsync(Stream output, List<FeedItem> items, List<ClientDelivery> deliveries, CancellationToken ct)
    {
        var what = _subscribed;
        var bytes = 0;
        deliveries.Clear();
        foreach (var item in items)
        {
            if (item.Message is { } m)
            {
                if (!what.HasFlag(SubscribeTo.Messages)) continue;
                if (deliveries.Count > 0 && bytes + m.Payload.Length > limits.DeliveryFrameBytes) await FlushAsync().ConfigureAwait(false);
                deliveries.Add(new ClientDelivery(m.Index, m.RingId, m.Seq, m.Sender, m.Payload));
                bytes += m.Payload.Length + 32;
            }
            else if (item.Configuration is { } c && what.HasFlag(SubscribeTo.ConfigurationChanges))
            {
                await FlushAsync().ConfigureAwait(false);
                await WriteFrameAsync(output, new ConfigurationChange(c.RingId, c.Members, c.Joined, c.Left), ct).ConfigureAwait(false);
            }
        }
        await FlushAsync().ConfigureAwait(false);

        async Task FlushAsync()
        {
            if (deliveries.Count == 0) return;
            await WriteFrameAsync(output, new DeliveredBatch(deliveries.ToArray()), ct).ConfigureAwait(false);
            deliveries.Clear();
            bytes = 0;
        }
    }

    /// <summary>
    /// Encodes into a pooled buffer, returned once the stream took the bytes: a delivery frame is up to
    /// <see cref="ClientLimits.DeliveryFrameBytes"/> (256 KiB), and a fresh array per frame per subscriber landed on the
    /// large object heap, which only a full collection gives back: most of a loaded node's memory.
    /// </summary>
    private static async ValueTask WriteFrameAsync(Stream output, ClientFrame frame, CancellationToken ct)
    {
        var length = ClientFrameCodec.EncodedLength(frame);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            ClientFrameCodec.EncodeInto(frame, buffer);
            await output.WriteAsync(buffer.AsMemory(0, length), ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Until the reader hands over something, the first waiting answer is decided, or the feed has news.</summary>
    private async Task WaitAsync(CancellationToken ct)
    {
        var wake = _wake.Reader.WaitToReadAsync(ct).AsTask();
        Task? answer = _pending.Reader.TryPeek(out var next) ? next.Answer : null;
        var feed = _feed is { Completed: false } f ? f.WaitAsync(ct) : null;
        await Task.WhenAny(new[] { wake, answer, feed }.OfType<Task>()).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }
}
