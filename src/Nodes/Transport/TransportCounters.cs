namespace Totem.Nodes.Transport;

/// <summary>Datagram counters of one transport; updated from I/O threads, read by status and metrics.</summary>
public sealed class TransportCounters
{
    private long _sent;
    private long _received;
    private long _sendErrors;
    private long _droppedByFault;
    private long _unknownDestination;
    private long _rejectedUnlisted;

    public long Sent => Interlocked.Read(ref _sent);
    public long Received => Interlocked.Read(ref _received);
    public long SendErrors => Interlocked.Read(ref _sendErrors);
    public long DroppedByFault => Interlocked.Read(ref _droppedByFault);
    public long UnknownDestination => Interlocked.Read(ref _unknownDestination);

    /// <summary>Datagrams dropped before decoding because their source is not a listed node (totem.block_unlisted_ips).</summary>
    public long RejectedUnlisted => Interlocked.Read(ref _rejectedUnlisted);

    internal void OnSent() => Interlocked.Increment(ref _sent);
    internal void OnReceived() => Interlocked.Increment(ref _received);
    internal void OnSendError() => Interlocked.Increment(ref _sendErrors);
    internal void OnDroppedByFault() => Interlocked.Increment(ref _droppedByFault);
    internal void OnUnknownDestination() => Interlocked.Increment(ref _unknownDestination);
    internal long OnRejectedUnlisted() => Interlocked.Increment(ref _rejectedUnlisted);
}
