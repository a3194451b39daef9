using Totem.Protocol.Security;

namespace Totem.Nodes.Transport;

/// <summary>Datagram counters of one transport; updated from I/O threads, read by status and metrics.</summary>
public sealed class TransportCounters
{
    private long _sent;
    private long _received;
    private long _sendErrors;
    private long _droppedByFault;
    private long _unknownDestination;
    private readonly long[] _sealFailures = new long[Enum.GetValues<SealFailure>().Length];
    private long _rejectedUnlisted;
    private long _socketFailures;
    private long _rebinds;

    public long Sent => Interlocked.Read(ref _sent);
    public long Received => Interlocked.Read(ref _received);
    public long SendErrors => Interlocked.Read(ref _sendErrors);
    public long DroppedByFault => Interlocked.Read(ref _droppedByFault);
    public long UnknownDestination => Interlocked.Read(ref _unknownDestination);

    /// <summary>Datagrams refused by the seal (failed authentication, replayed, ...), all reasons together; never decoded.</summary>
    public long Unauthenticated
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _sealFailures.Length; i++) sum += Interlocked.Read(ref _sealFailures[i]);
            return sum;
        }
    }

    /// <summary>Datagrams the seal refused for this reason.</summary>
    public long SealFailures(SealFailure reason) => Interlocked.Read(ref _sealFailures[(int)reason]);

    /// <summary>Datagrams dropped before decoding because their source is not a listed node (totem.block_unlisted_ips).</summary>
    public long RejectedUnlisted => Interlocked.Read(ref _rejectedUnlisted);

    /// <summary>Times the socket failed (the interface went down, the descriptor broke) and the transport began rebinding.</summary>
    public long SocketFailures => Interlocked.Read(ref _socketFailures);

    /// <summary>Attempts to bind the ring address again after a failure, every downcheck ms (successful or not).</summary>
    public long Rebinds => Interlocked.Read(ref _rebinds);

    /// <summary>
    /// A snapshot of several transports' counters added up: a ring over several links reports what its sockets
    /// refused, dropped and failed on all links together.
    /// </summary>
    public static TransportCounters Sum(IEnumerable<TransportCounters> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var sum = new TransportCounters();
        foreach (var part in parts)
        {
            sum._sent += part.Sent;
            sum._received += part.Received;
            sum._sendErrors += part.SendErrors;
            sum._droppedByFault += part.DroppedByFault;
            sum._unknownDestination += part.UnknownDestination;
            for (var i = 0; i < sum._sealFailures.Length; i++) sum._sealFailures[i] += part.SealFailures((SealFailure)i);
            sum._rejectedUnlisted += part.RejectedUnlisted;
            sum._socketFailures += part.SocketFailures;
            sum._rebinds += part.Rebinds;
        }
        return sum;
    }

    internal void OnSocketFailure() => Interlocked.Increment(ref _socketFailures);
    internal long OnRebind() => Interlocked.Increment(ref _rebinds);
    internal void OnSent() => Interlocked.Increment(ref _sent);
    internal void OnReceived() => Interlocked.Increment(ref _received);
    internal void OnSendError() => Interlocked.Increment(ref _sendErrors);
    internal void OnDroppedByFault() => Interlocked.Increment(ref _droppedByFault);
    internal void OnUnknownDestination() => Interlocked.Increment(ref _unknownDestination);

    /// <summary>Counts a refusal; returns how many of this reason so far, for rate-limiting its log line.</summary>
    public long OnSealFailure(SealFailure reason) => Interlocked.Increment(ref _sealFailures[(int)reason]);
    internal long OnRejectedUnlisted() => Interlocked.Increment(ref _rejectedUnlisted);
}
