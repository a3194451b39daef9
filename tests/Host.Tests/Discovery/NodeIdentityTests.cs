using System.Net;
using Totem.Host.Totemd.Discovery;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Discovery;

public sealed class NodeIdentityTests
{
    [Theory]
    [InlineData("10.0.1.62", 0x0A00013Eu)]
    [InlineData("127.0.0.2", 0x7F000002u)]
    [InlineData("192.168.1.10", 0xC0A8010Au)]
    public void An_ipv4_address_gives_corosync_s_big_endian_nodeid(string address, uint expected) =>
        Assert.Equal(new NodeId(expected), NodeIdentity.FromAddress(IPAddress.Parse(address)));

    [Fact]
    public void An_ipv4_mapped_ipv6_address_counts_as_ipv4() =>
        Assert.Equal(new NodeId(0x0A000005), NodeIdentity.FromAddress(IPAddress.Parse("10.0.0.5").MapToIPv6()));

    [Fact]
    public void Ipv6_needs_an_explicit_nodeid_as_in_corosync()
    {
        var ex = Assert.Throws<ArgumentException>(() => NodeIdentity.FromAddress(IPAddress.Parse("fe80::1")));
        Assert.Contains("IPv6 network requires that a node ID be specified", ex.Message);
    }

    [Fact]
    public void Address_zero_is_refused() =>
        Assert.Throws<ArgumentException>(() => NodeIdentity.FromAddress(IPAddress.Any));

    [Theory]
    [InlineData("lab_node_3.lab_default", 3u)]
    [InlineData("lab-node-12.lab_default", 12u)]
    [InlineData("my_project_node_1", 1u)]
    public void Compose_replica_names_give_the_replica_index(string name, uint expected)
    {
        Assert.True(NodeIdentity.TryReplicaIndex(name, out var id));
        Assert.Equal(new NodeId(expected), id);
    }

    [Theory]
    [InlineData("3f2a9c1b7e4d")]
    [InlineData("lab_node_.net")]
    [InlineData("lab_node_0.net")]
    [InlineData("lab_node_x.net")]
    public void Other_names_give_no_index(string name) => Assert.False(NodeIdentity.TryReplicaIndex(name, out _));
}
