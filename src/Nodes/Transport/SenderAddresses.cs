using System.Net;
using System.Net.Sockets;

namespace Totem.Nodes.Transport;

/// <summary>
/// The receive loop's senders as <see cref="IPEndPoint"/>s. The socket reports each datagram's source into one reused
/// <see cref="SocketAddress"/>; a ring hears the same few peers all the time, so each address becomes an endpoint once
/// and later datagrams from it allocate nothing. Bounded: a flood from many forged sources empties it rather than
/// growing it. Used by the receive loop only (one thread at a time).
/// </summary>
public sealed class SenderAddresses
{
    /// <summary>Far above any ring (corosync's PROCESSOR_COUNT_MAX is 384), small enough to be no memory at all.</summary>
    public const int Capacity = 1024;

    private readonly Dictionary<SocketAddress, IPEndPoint> _known = new();
    private readonly IPEndPoint _family;

    /// <param name="family">The socket's address family: what its datagrams' sources are.</param>
    public SenderAddresses(AddressFamily family)
    {
        _family = new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
    }

    public int Count => _known.Count;

    /// <summary>The endpoint <paramref name="address"/> names (its content now; the caller may reuse it afterwards).</summary>
    public IPEndPoint Of(SocketAddress address)
    {
        if (_known.TryGetValue(address, out var endpoint)) return endpoint;
        if (_known.Count >= Capacity) _known.Clear();
        endpoint = (IPEndPoint)_family.Create(address);
        var key = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(key.Buffer.Span);
        _known.Add(key, endpoint);
        return endpoint;
    }
}
