namespace Totem.Nodes.Transport;

/// <summary>What a <see cref="LinkedTransport"/>'s link layer did, beyond the ring's datagrams it carried.</summary>
public sealed class LinkCounters
{
    private long _noActiveLinks;
    private long _duplicates;
    private long _malformed;
    private long _pingsSent;
    private long _pongsReceived;

    /// <summary>Ring datagrams not sent because the destination had no up link (knet drops them too).</summary>
    public long NoActiveLinks => Interlocked.Read(ref _noActiveLinks);

    /// <summary>Copies dropped by the duplicate filter (active mode sends each datagram on every up link).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Datagrams that were not a well-formed link frame for the link they arrived on.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    public long PingsSent => Interlocked.Read(ref _pingsSent);
    public long PongsReceived => Interlocked.Read(ref _pongsReceived);

    internal void OnNoActiveLinks() => Interlocked.Increment(ref _noActiveLinks);
    internal void OnDuplicate() => Interlocked.Increment(ref _duplicates);
    internal long OnMalformed() => Interlocked.Increment(ref _malformed);
    internal void OnPingSent() => Interlocked.Increment(ref _pingsSent);
    internal void OnPongReceived() => Interlocked.Increment(ref _pongsReceived);
}
