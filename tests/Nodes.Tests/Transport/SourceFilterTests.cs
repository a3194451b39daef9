using System.Net;
using Totem.Nodes.Transport;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Transport;

/// <summary>totem.block_unlisted_ips: which sources reach the decoder.</summary>
public sealed class SourceFilterTests
{
    private static PeerTable Table(params (uint Node, string Address)[] peers)
    {
        var table = new PeerTable();
        table.Replace(peers.Select(p => KeyValuePair.Create(new NodeId(p.Node), new IPEndPoint(IPAddress.Parse(p.Address), 5405))));
        return table;
    }

    private static IPEndPoint From(string address, int port = 5405) => new(IPAddress.Parse(address), port);

    [Fact]
    public void A_listed_address_is_admitted_from_any_port_and_an_unlisted_one_is_dropped_and_counted()
    {
        var filter = new SourceFilter(Table((1, "10.0.0.1"), (2, "10.0.0.2")), enabled: true);
        var counters = new TransportCounters();

        Assert.True(filter.Admit(From("10.0.0.2"), counters));
        // udpu compares the address only (totemip_sa_equal): a listed host's other port is still that host.
        Assert.True(filter.Admit(From("10.0.0.1", 40000), counters));
        Assert.False(filter.Admit(From("10.0.0.3"), counters));
        Assert.False(filter.Admit(From("10.0.0.3", 1), counters));
        Assert.Equal(2, counters.RejectedUnlisted);
    }

    [Fact]
    public void An_ipv4_peer_seen_through_a_dual_stack_socket_is_still_listed()
    {
        var filter = new SourceFilter(Table((1, "10.0.0.1")), enabled: true);
        Assert.True(filter.Admits(new IPEndPoint(IPAddress.Parse("10.0.0.1").MapToIPv6(), 5405)));
        Assert.False(filter.Admits(new IPEndPoint(IPAddress.Parse("10.0.0.9").MapToIPv6(), 5405)));
    }

    [Fact]
    public void With_the_option_off_everything_is_admitted_and_nothing_counted()
    {
        var filter = new SourceFilter(Table((1, "10.0.0.1")), enabled: false);
        var counters = new TransportCounters();
        Assert.True(filter.Admit(From("192.0.2.77"), counters));
        Assert.True(filter.Admit(From("10.0.0.1"), counters));
        Assert.Equal(0, counters.RejectedUnlisted);
    }

    [Fact]
    public void An_empty_table_admits_nobody()
    {
        // DNS discovery before its first answer: nothing is resolved yet, so nothing is listed.
        var filter = new SourceFilter(new PeerTable(), enabled: true);
        Assert.False(filter.Admits(From("10.0.0.1")));
    }

    [Fact]
    public void A_discovery_refresh_adds_and_removes_addresses_from_the_next_datagram_on()
    {
        var table = Table((1, "10.0.0.1"), (2, "10.0.0.2"));
        var filter = new SourceFilter(table, enabled: true);
        Assert.True(filter.Admits(From("10.0.0.2")));
        Assert.False(filter.Admits(From("10.0.0.3")));

        // Node 2 moved to .3 and node 4 appeared: what PeerDiscovery does when the names resolve anew.
        table.Replace([
            KeyValuePair.Create(new NodeId(1), From("10.0.0.1")),
            KeyValuePair.Create(new NodeId(2), From("10.0.0.3")),
            KeyValuePair.Create(new NodeId(4), From("10.0.0.4")),
        ]);
        Assert.False(filter.Admits(From("10.0.0.2")));
        Assert.True(filter.Admits(From("10.0.0.3")));
        Assert.True(filter.Admits(From("10.0.0.4")));
        Assert.True(filter.Admits(From("10.0.0.1")));
    }
}
