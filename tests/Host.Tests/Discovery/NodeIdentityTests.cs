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
    [InlineData("totem_node.3.n5x0c1x1v9l0ad7mw2xhycb0v.totem_ring", 3u)]
    [InlineData("couchdb.3.mhml1gvvl65lw64wxi2r6k0ez.couchdb-network", 3u)]
    [InlineData("totem_node.12.0123456789abcdefghijklmno", 12u)]
    [InlineData("my-stack_node-2.7.n5x0c1x1v9l0ad7mw2xhycb0v.my-stack_ring", 7u)]
    public void Swarm_task_names_give_the_task_slot_not_a_number_in_the_service_name(string name, uint expected)
    {
        Assert.True(NodeIdentity.TryReplicaIndex(name, out var id));
        Assert.Equal(new NodeId(expected), id);
    }

    [Fact]
    public void A_replacement_task_in_the_same_slot_keeps_the_node_id()
    {
        Assert.True(NodeIdentity.TryReplicaIndex("totem_node.4.n5x0c1x1v9l0ad7mw2xhycb0v.totem_ring", out var before));
        Assert.True(NodeIdentity.TryReplicaIndex("totem_node.4.z8q2k0w7r4c1m9b3t6y5h0p2e.totem_ring", out var after));
        Assert.Equal(before, after);
    }

    [Theory]
    // A global service's task: a swarm node id where the slot would be.
    [InlineData("totem_node.kx3r1ba8w2yq0h5e7d9c4v6n1.n5x0c1x1v9l0ad7mw2xhycb0v.totem_ring")]
    // Slot 0, a task id of the wrong length or with upper case, no task id at all: not a swarm task, and the
    // compose reading of the first label ("totem_node") has no number either.
    [InlineData("totem_node.0.n5x0c1x1v9l0ad7mw2xhycb0v.totem_ring")]
    [InlineData("totem_node.3.n5x0c1x1v9l0ad7mw2xhycb0.totem_ring")]
    [InlineData("totem_node.3.N5X0C1X1V9L0AD7MW2XHYCB0V.totem_ring")]
    [InlineData("totem_node.3")]
    // Docker's DNS sometimes answers with the container id instead of the task name (moby#34882): no index.
    [InlineData("ceb1f81bba19.totem_ring")]
    public void Swarm_like_names_without_a_slot_give_no_index(string name) => Assert.False(NodeIdentity.TryReplicaIndex(name, out _));

    [Fact]
    public void A_compose_name_whose_network_label_is_a_number_is_still_read_as_compose()
    {
        // Only a 25-character task id after the number makes it a swarm task.
        Assert.True(NodeIdentity.TryReplicaIndex("lab-node-5.2.lab", out var id));
        Assert.Equal(new NodeId(5), id);
    }

    [Theory]
    [InlineData("3f2a9c1b7e4d")]
    [InlineData("lab_node_.net")]
    [InlineData("lab_node_0.net")]
    [InlineData("lab_node_x.net")]
    public void Other_names_give_no_index(string name) => Assert.False(NodeIdentity.TryReplicaIndex(name, out _));
}
