using System.Net.Sockets;
using System.Threading.Channels;
using Totem.Protocol.Client;

namespace Totem.Client;

/// <summary>
/// A connection to one node's local client socket (totemd's totemd.client.socket). Batches may be sent by several
/// callers at once and many may be in flight: the node answers them in the order they were sent. Deliveries and
/// configuration changes, once subscribed, arrive on <see cref="Deliveries"/>, which the subscriber must keep
/// reading: while it does not, the node stops writing to this connection (answers included).
/// </summary>
public sealed class TotemClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Queue<Waiter> _waiting = new();
    private readonly Channel<ClientFrame> _deliveries = Channel.CreateBounded<ClientFrame>(
        new BoundedChannelOptions(256) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _closing = new();
    private Task _reading = Task.CompletedTask;
    private TotemClientException? _broken;
    private uint _nextBatch;
    private int _disposed;

    /// <summary>One sent batch or subscription waiting for its answer.</summary>
    private sealed record Waiter(uint BatchId, TaskCompletionSource<BatchAnswer>? Batch, TaskCompletionSource<long>? Subscription);

    private TotemClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public string Path { get; private init; } = "";

    /// <summary>Delivered messages (<see cref="DeliveredBatch"/>) and configuration changes (<see cref="ConfigurationChange"/>), in the node's order.</summary>
    public ChannelReader<ClientFrame> Deliveries => _deliveries.Reader;

    /// <exception cref="TotemClientException">Nothing listens at <paramref name="path"/>.</exception>
    public static async Task<TotemClient> ConnectAsync(string path, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new TotemClientException(null, $"cannot connect to the node's client socket {path}: {ex.Message}", ex);
        }
        var client = new TotemClient(socket) { Path = path };
        client._reading = client.ReadAsync(client._closing.Token);
        return client;
    }

    /// <summary>
    /// Sends a batch (1 .. <see cref="ClientFrameCodec.MaxBatchMessages"/> messages of at most
    /// <see cref="ClientFrameCodec.MaxMessageBytes"/>); completes with the node's answer. The messages are copied into
    /// the frame before this returns its task, so the caller may reuse them at once.
    /// </summary>
    public async Task<BatchAnswer> MulticastAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken ct)
    {
        var answer = new TaskCompletionSource<BatchAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        await SendAsync(id => new MulticastBatch(id, messages), id => new Waiter(id, answer, null), ct).ConfigureAwait(false);
        return await answer.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Subscribes to what the node delivers from now on; completes with the delivery index of the first message it will send.</summary>
    public async Task<long> SubscribeAsync(SubscribeTo what, CancellationToken ct)
    {
        var answer = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await SendAsync(_ => new Subscribe(what), id => new Waiter(id, null, answer), ct).ConfigureAwait(false);
        return await answer.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Frames go out in the order their waiters are queued: the node answers in that order.</summary>
    private async Task SendAsync(Func<uint, ClientFrame> frame, Func<uint, Waiter> waiter, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var id = ++_nextBatch;
            var bytes = ClientFrameCodec.Encode(frame(id));
            lock (_gate)
            {
                if (_broken is { } broken) throw broken;
                _waiting.Enqueue(waiter(id));
            }
            try
            {
                await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                Break(new TotemClientException(null, $"the connection to {Path} broke: {ex.Message}", ex));
                throw _broken!;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task ReadAsync(CancellationToken ct)
    {
        var prefix = new byte[ClientFrameCodec.LengthBytes];
        try
        {
            while (true)
            {
                var got = await _stream.ReadAtLeastAsync(prefix, prefix.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
                if (got < prefix.Length)
                {
                    Break(new TotemClientException(null, $"the node closed the connection {Path}"));
                    return;
                }
                var length = ClientFrameCodec.ReadLength(prefix, out var problem)
                    ?? throw new TotemClientException(ClientErrorCode.MalformedFrame, $"the node sent a bad frame: {problem}");
                var frame = new byte[length];
                await _stream.ReadExactlyAsync(frame, ct).ConfigureAwait(false);
                var decoded = ClientFrameCodec.Decode(frame);
                if (!decoded.IsSuccess) throw new TotemClientException(decoded.Error, $"the node sent a bad frame: {decoded.Detail}");
                await DispatchAsync(decoded.Frame, ct).ConfigureAwait(false);
            }
        }
        catch (TotemClientException ex)
        {
            Break(ex);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or ObjectDisposedException or OperationCanceledException)
        {
            Break(new TotemClientException(null, ct.IsCancellationRequested ? "the client was closed" : $"the connection to {Path} broke: {ex.Message}", ex));
        }
    }

    private async Task DispatchAsync(ClientFrame frame, CancellationToken ct)
    {
        switch (frame)
        {
            case BatchAccepted accepted:
                Next(accepted.BatchId).Batch?.TrySetResult(BatchAnswer.Queued(accepted.FirstIndex));
                break;
            case BatchTryAgain again:
                Next(again.BatchId).Batch?.TrySetResult(BatchAnswer.TryAgain(again.Reason));
                break;
            case Subscribed subscribed:
                Next(null).Subscription?.TrySetResult(subscribed.NextIndex);
                break;
            case DeliveredBatch or ConfigurationChange:
                await _deliveries.Writer.WriteAsync(frame, ct).ConfigureAwait(false);
                break;
            case ClientError error:
                throw new TotemClientException(error.Code, $"the node closed the connection: {error.Message} ({error.Code})");
            default:
                throw new TotemClientException(ClientErrorCode.UnknownFrameType, $"the node sent a {frame.GetType().Name}, which only clients send");
        }
    }

    /// <summary>The waiter an answer is for: the oldest; a batch answer must name its batch.</summary>
    private Waiter Next(uint? batchId)
    {
        lock (_gate)
        {
            if (!_waiting.TryDequeue(out var waiter))
                throw new TotemClientException(ClientErrorCode.MalformedFrame, "the node answered a batch or subscription that was never sent");
            if (batchId is { } id && (waiter.Batch is null || waiter.BatchId != id))
                throw new TotemClientException(ClientErrorCode.MalformedFrame, $"the node answered batch {id} where {(waiter.Batch is null ? "a subscription" : $"batch {waiter.BatchId}")} was due");
            if (batchId is null && waiter.Subscription is null)
                throw new TotemClientException(ClientErrorCode.MalformedFrame, $"the node confirmed a subscription where batch {waiter.BatchId} was due");
            return waiter;
        }
    }

    /// <summary>Fails everything waiting and ends <see cref="Deliveries"/> with the reason.</summary>
    private void Break(TotemClientException reason)
    {
        Waiter[] waiting;
        lock (_gate)
        {
            _broken ??= reason;
            waiting = [.. _waiting];
            _waiting.Clear();
        }
        foreach (var w in waiting)
        {
            w.Batch?.TrySetException(_broken);
            w.Subscription?.TrySetException(_broken);
        }
        _deliveries.Writer.TryComplete(_broken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _closing.CancelAsync().ConfigureAwait(false);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The node closed it first.
        }
        await _stream.DisposeAsync().ConfigureAwait(false);
        await _reading.ConfigureAwait(false);
        _closing.Dispose();
        _writeGate.Dispose();
    }
}
