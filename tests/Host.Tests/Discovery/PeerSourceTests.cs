using System.Net;
using Totem.Host.Tests.Fixtures;
using Totem.Host.Totemd.Discovery;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Discovery;

public sealed class PeerSourceTests
{
    private static NodeEntry Entry(uint? id, string address, int line) => new(id is { } v ? new NodeId(v) : null, null, address, 1, line);

    [Fact]
    public async Task A_static_nodelist_maps_ids_to_ring_endpoints_deriving_missing_ids()
    {
        var resolver = new TableResolver();
        resolver.Forward["node3.lan"] = [IPAddress.Parse("10.0.0.3")];
        var source = new StaticNodelistPeers([Entry(1, "10.0.0.1", 3), Entry(null, "10.0.0.2", 7), Entry(3, "node3.lan", 11)], 5405, resolver);
        var peers = await source.ResolveAsync(CancellationToken.None);
        Assert.Equal([new NodeId(1), new NodeId(3), new NodeId(0x0A000002)], peers.Keys);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.3"), 5405), peers[new NodeId(3)]);
    }

    [Fact]
    public async Task A_duplicate_id_in_the_nodelist_names_the_line()
    {
        var source = new StaticNodelistPeers([Entry(1, "10.0.0.1", 3), Entry(1, "10.0.0.2", 9)], 5405, new TableResolver());
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => source.ResolveAsync(CancellationToken.None));
        Assert.Contains("line 9", ex.Message);
    }

    [Fact]
    public async Task A_dns_name_gives_every_replica_identified_by_address()
    {
        var resolver = new TableResolver();
        resolver.Forward["node"] = [IPAddress.Parse("172.28.0.3"), IPAddress.Parse("172.28.0.2"), IPAddress.Parse("fd00::2")];
        var peers = await new DnsNamePeers("node", 5405, NodeIdSource.Address, resolver).ResolveAsync(CancellationToken.None);
        Assert.Equal([NodeIdentity.FromAddress(IPAddress.Parse("172.28.0.2")), NodeIdentity.FromAddress(IPAddress.Parse("172.28.0.3"))], peers.Keys);
    }

    [Fact]
    public async Task With_replica_identity_ids_come_from_reverse_names_and_unnamed_addresses_wait()
    {
        var resolver = new TableResolver();
        resolver.Forward["node"] = [IPAddress.Parse("172.28.0.7"), IPAddress.Parse("172.28.0.4"), IPAddress.Parse("172.28.0.9")];
        resolver.Reverse[IPAddress.Parse("172.28.0.7")] = "lab_node_1.lab_ring";
        resolver.Reverse[IPAddress.Parse("172.28.0.4")] = "lab-node-2.lab_ring";
        var peers = await new DnsNamePeers("node", 5405, NodeIdSource.ReverseDnsReplica, resolver).ResolveAsync(CancellationToken.None);
        Assert.Equal(2, peers.Count);
        Assert.Equal(IPAddress.Parse("172.28.0.7"), peers[new NodeId(1)].Address);
        Assert.Equal(IPAddress.Parse("172.28.0.4"), peers[new NodeId(2)].Address);
    }

    [Fact]
    public async Task On_a_swarm_tasks_node_gives_every_task_identified_and_named_by_its_slot()
    {
        var resolver = new TableResolver();
        IPAddress[] tasks = [IPAddress.Parse("10.28.5.3"), IPAddress.Parse("10.28.5.4"), IPAddress.Parse("10.28.5.9")];
        resolver.Forward["tasks.node"] = tasks;
        resolver.Reverse[tasks[0]] = "totem_node.2.n5x0c1x1v9l0ad7mw2xhycb0v.totem_ring";
        resolver.Reverse[tasks[1]] = "totem_node.1.kx3r1ba8w2yq0h5e7d9c4v6n1.totem_ring";
        // Slot 2's task was killed; its replacement came back in the same slot with another address and task id.
        resolver.Reverse[tasks[2]] = "totem_node.5.z8q2k0w7r4c1m9b3t6y5h0p2e.totem_ring";
        var source = new DnsNamePeers("tasks.node", 5405, NodeIdSource.ReverseDnsReplica, resolver);
        var peers = await source.ResolveAsync(CancellationToken.None);
        Assert.Equal([new NodeId(1), new NodeId(2), new NodeId(5)], peers.Keys);
        Assert.Equal(new IPEndPoint(tasks[2], 5405), peers[new NodeId(5)]);
        var names = await source.NamesAsync(peers, CancellationToken.None);
        Assert.Equal(["totem_node.1", "totem_node.2", "totem_node.5"], names.Values);
    }

    [Fact]
    public async Task A_failed_round_keeps_the_last_good_peer_table()
    {
        var resolver = new TableResolver();
        resolver.Forward["node"] = [IPAddress.Parse("172.28.0.2"), IPAddress.Parse("172.28.0.3")];
        var table = new PeerTable();
        var discovery = new PeerDiscovery(new DnsNamePeers("node", 5405, NodeIdSource.Address, resolver), table, Serilog.Core.Logger.None);

        Assert.True(await discovery.RefreshOnceAsync(CancellationToken.None));
        Assert.Equal(2, table.Snapshot.Count);

        resolver.Forward.Remove("node");
        Assert.False(await discovery.RefreshOnceAsync(CancellationToken.None));
        Assert.Equal(2, table.Snapshot.Count);

        resolver.Forward["node"] = [IPAddress.Parse("172.28.0.2"), IPAddress.Parse("172.28.0.3"), IPAddress.Parse("172.28.0.4")];
        Assert.True(await discovery.RefreshOnceAsync(CancellationToken.None));
        Assert.Equal(3, table.Snapshot.Count);
        Assert.False(await discovery.RefreshOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Discovery_names_replicas_by_the_first_label_of_their_reverse_name_and_forgets_a_gone_address()
    {
        var resolver = new TableResolver();
        var a = IPAddress.Parse("172.28.0.2");
        var b = IPAddress.Parse("172.28.0.3");
        resolver.Forward["node"] = [a, b];
        resolver.Reverse[a] = "lab-node-1.lab_default";
        var table = new PeerTable();
        var discovery = new PeerDiscovery(new DnsNamePeers("node", 5405, NodeIdSource.Address, resolver), table, Serilog.Core.Logger.None);

        await discovery.RefreshOnceAsync(CancellationToken.None);
        Assert.Equal(["lab-node-1"], table.Names.Values);
        Assert.Equal(NodeIdentity.FromAddress(a), table.Names.Keys.Single());

        // Named once (the unnamed address too): the next round asks DNS only for the forward name.
        var reverse = resolver.ReverseLookups;
        await discovery.RefreshOnceAsync(CancellationToken.None);
        Assert.Equal(reverse, resolver.ReverseLookups);

        // The address leaves and comes back as another container: it is named again.
        resolver.Forward["node"] = [b];
        await discovery.RefreshOnceAsync(CancellationToken.None);
        Assert.Empty(table.Names);
        resolver.Forward["node"] = [a, b];
        resolver.Reverse[a] = "lab-node-6.lab_default";
        await discovery.RefreshOnceAsync(CancellationToken.None);
        Assert.Equal(["lab-node-6"], table.Names.Values);
    }

    [Theory]
    [InlineData("lab-node-3.lab_default", "lab-node-3")]
    [InlineData("pve1", "pve1")]
    [InlineData("totem_node.3.n5x0c1x1v9l0ad7mw2xhycb0v.totem_ring", "totem_node.3")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void A_short_name_is_the_first_label(string? hostName, string? expected) =>
        Assert.Equal(expected, DnsNamePeers.ShortName(hostName));

    [Fact]
    public async Task A_static_nodelist_adds_no_names_of_its_own()
    {
        var source = new StaticNodelistPeers([Entry(1, "10.0.0.1", 3)], 5405, new TableResolver());
        Assert.Empty(await source.NamesAsync(await source.ResolveAsync(CancellationToken.None), CancellationToken.None));
    }
}
