using System.Net;
using System.Net.Sockets;
using Totem.Nodes.Transport;

namespace Totem.Nodes.Tests.Transport;

/// <summary>The receive loop's sources: one endpoint per address, made once, the cache bounded.</summary>
public sealed class SenderAddressesTests
{
    private static SocketAddress Socket(string address, int port) => new IPEndPoint(IPAddress.Parse(address), port).Serialize();

    [Fact]
    public void The_same_source_gives_the_same_endpoint_and_another_port_or_address_another()
    {
        var senders = new SenderAddresses(AddressFamily.InterNetwork);
        var reused = Socket("127.0.0.2", 5405);
        var first = senders.Of(reused);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 5405), first);
        // The socket reuses its SocketAddress for the next datagram: the cache keeps its own copy of the key.
        Socket("127.0.0.3", 5405).Buffer.Span.CopyTo(reused.Buffer.Span);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 5405), senders.Of(reused));
        Assert.Same(first, senders.Of(Socket("127.0.0.2", 5405)));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 5406), senders.Of(Socket("127.0.0.2", 5406)));
        Assert.Equal(3, senders.Count);
    }

    [Fact]
    public void A_flood_of_sources_never_grows_it_beyond_its_capacity()
    {
        var senders = new SenderAddresses(AddressFamily.InterNetwork);
        for (var i = 0; i < SenderAddresses.Capacity * 3 + 7; i++)
        {
            var address = new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);
            Assert.Equal(new IPEndPoint(address, 5405), senders.Of(new IPEndPoint(address, 5405).Serialize()));
            Assert.InRange(senders.Count, 1, SenderAddresses.Capacity);
        }
    }

    [Fact]
    public void IPv6_sources_become_IPv6_endpoints()
    {
        var senders = new SenderAddresses(AddressFamily.InterNetworkV6);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.2"), 5405), senders.Of(Socket("::ffff:127.0.0.2", 5405)));
    }
}
