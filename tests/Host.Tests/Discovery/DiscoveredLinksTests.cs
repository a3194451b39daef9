using System.Net;
using Totem.Host.Tests.Fixtures;
using Totem.Host.Totemd.Discovery;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Discovery;

/// <summary>discovery.ring1_dns_name: link 1 of the compose lab's ring, found on the ring1 network as link 0 is on ring0.</summary>
public sealed class DiscoveredLinksTests
{
    private static ClusterConfig Config(string discoveryExtra)
    {
        var loaded = ClusterConfigParser.Parse(
            "totem {\n  version: 2\n  transport: knet\n}\nquorum {\n  expected_votes: 3\n}\n" +
            $"discovery {{\n  dns_name: node-ring0\n  port: 5405\n  nodeid_source: reverse_dns_replica\n{discoveryExtra}}}\n",
            "test.conf", _ => null);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        return loaded.Config!;
    }

    /// <summary>Three replicas on ring1 (172.28.6.0/24), named by reverse DNS as compose names them; addresses out of replica order.</summary>
    private static TableResolver Ring1(params (uint Replica, string Address)[] replicas)
    {
        var resolver = new TableResolver();
        resolver.Forward["node-ring1"] = replicas.Select(r => IPAddress.Parse(r.Address)).ToArray();
        foreach (var (replica, address) in replicas)
            resolver.Reverse[IPAddress.Parse(address)] = $"lab-node-{replica}.lab_ring1";
        return resolver;
    }

    [Fact]
    public async Task Link_one_gets_every_replica_by_its_replica_index_on_port_5406_and_binds_this_nodes_address_there()
    {
        var resolver = Ring1((1, "172.28.6.4"), (2, "172.28.6.2"), (3, "172.28.6.3"));
        var links = await DiscoveredLinks.ResolveAsync(Config("  ring1_dns_name: node-ring1\n"), new NodeId(2), resolver, Serilog.Core.Logger.None, _ => { }, CancellationToken.None);
        var link = Assert.Single(links);
        Assert.Equal(1u, link.LinkNumber);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("172.28.6.2"), 5406), link.BindTo);
        Assert.Equal([new NodeId(1), new NodeId(2), new NodeId(3)], link.Peers.Snapshot.Keys);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("172.28.6.4"), 5406), link.Peers.Snapshot[new NodeId(1)]);
    }

    [Fact]
    public async Task Without_link_names_there_are_no_redundant_links_and_nothing_is_resolved()
    {
        var resolver = new TableResolver();
        Assert.Empty(await DiscoveredLinks.ResolveAsync(Config(""), new NodeId(1), resolver, Serilog.Core.Logger.None, _ => { }, CancellationToken.None));
        Assert.Equal(0, resolver.Lookups);
    }

    [Fact]
    public async Task This_node_missing_from_the_link_answer_is_waited_for_and_said_once()
    {
        // Replica 3's ring1 address is not in the name's answer yet (compose attaches networks one after the other).
        var resolver = Ring1((1, "172.28.6.4"), (2, "172.28.6.2"));
        var said = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var wait = DiscoveredLinks.ResolveAsync(Config("  ring1_dns_name: node-ring1\n"), new NodeId(3), resolver, Serilog.Core.Logger.None, said.Add, cts.Token);
        while (resolver.Lookups < 3) await Task.Delay(20, cts.Token);
        Assert.False(wait.IsCompleted);
        var line = Assert.Single(said);
        Assert.Equal("link 1: node 3 is not among dns_name node-ring1's processors (1=172.28.6.4, 2=172.28.6.2) yet", line);

        resolver.Forward["node-ring1"] = [.. resolver.Forward["node-ring1"], IPAddress.Parse("172.28.6.9")];
        resolver.Reverse[IPAddress.Parse("172.28.6.9")] = "lab-node-3.lab_ring1";
        var link = Assert.Single(await wait);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("172.28.6.9"), 5406), link.BindTo);
        Assert.Equal(3, link.Peers.Snapshot.Count);
    }

    [Fact]
    public async Task A_refresh_of_the_link_follows_a_replica_that_came_back_with_another_address()
    {
        var resolver = Ring1((1, "172.28.6.4"), (2, "172.28.6.2"));
        var link = Assert.Single(await DiscoveredLinks.ResolveAsync(Config("  ring1_dns_name: node-ring1\n"), new NodeId(1), resolver, Serilog.Core.Logger.None, _ => { }, CancellationToken.None));
        resolver.Forward["node-ring1"] = [IPAddress.Parse("172.28.6.4"), IPAddress.Parse("172.28.6.7")];
        resolver.Reverse[IPAddress.Parse("172.28.6.7")] = "lab-node-2.lab_ring1";
        Assert.True(await link.Discovery.RefreshOnceAsync(CancellationToken.None));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("172.28.6.7"), 5406), link.Peers.Snapshot[new NodeId(2)]);
    }
}
