using Totem.Protocol.Config;
using static Totem.Protocol.Tests.Config.ConfigTestSupport;

namespace Totem.Protocol.Tests.Config;

/// <summary>discovery.ring1_dns_name .. ring7_dns_name: redundant links for a ring found by DNS (the compose lab's two networks).</summary>
public class DiscoveryLinkConfigTests
{
    private static string Discovery(string discoveryExtra, string totemExtra = "  transport: knet\n") =>
        $"totem {{\n  version: 2\n{totemExtra}}}\nquorum {{\n  expected_votes: 5\n}}\n" +
        $"discovery {{\n  dns_name: node\n  nodeid_source: reverse_dns_replica\n{discoveryExtra}}}\n";

    [Fact]
    public void Link_names_are_read_by_link_number_with_ports_from_the_discovery_port()
    {
        var result = Load(Discovery("  port: 6000\n  ring1_dns_name: node-ring1\n  ring3_dns_name: node-ring3\n",
            "  transport: knet\n  interface {\n    linknumber: 3\n    mcastport: 7000\n  }\n"));
        Assert.True(result.IsValid, Errors(result));
        Assert.Empty(result.Warnings);
        var discovery = result.Config!.Discovery;
        Assert.Equal([0u, 1u, 3u], discovery.LinkNumbers);
        Assert.Equal(("node", "node-ring1", null, "node-ring3"), (discovery.DnsNameOf(0), discovery.DnsNameOf(1), discovery.DnsNameOf(2), discovery.DnsNameOf(3)));
        var totem = result.Config.Totem;
        Assert.Equal(((ushort)6000, (ushort)6001, (ushort)7000), (discovery.LinkPort(totem, 0), discovery.LinkPort(totem, 1), discovery.LinkPort(totem, 3)));
    }

    [Fact]
    public void Without_link_names_discovery_is_one_link_and_compares_as_before()
    {
        var result = Load(Discovery(""));
        Assert.True(result.IsValid, Errors(result));
        Assert.Equal([0u], result.Config!.Discovery.LinkNumbers);
        Assert.Equal(new DiscoverySettings("node", 5405, 2000, NodeIdSource.ReverseDnsReplica), result.Config.Discovery);
    }

    [Fact]
    public void A_link_name_under_udpu_is_refused_at_its_line()
    {
        var result = Load(Discovery("  ring1_dns_name: node-ring1\n", "  transport: udpu\n  crypto_cipher: none\n  crypto_hash: none\n"));
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors);
        Assert.Contains("discovery.ring1_dns_name: transport udpu runs a single link; redundant links need transport knet", error.Message, StringComparison.Ordinal);
        Assert.Equal(13, error.Position.Line);
    }

    [Fact]
    public void A_link_name_without_link_zeros_name_is_refused()
    {
        var result = Load("totem {\n  version: 2\n}\nquorum {\n  expected_votes: 3\n}\ndiscovery {\n  ring1_dns_name: node-ring1\n}\n");
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Message.Contains("discovery.ring1_dns_name is set but discovery.dns_name (link 0's name) is not", StringComparison.Ordinal) && e.Position.Line == 8);
    }

    [Fact]
    public void A_port_that_leaves_no_room_for_the_last_link_is_refused()
    {
        var result = Load(Discovery("  port: 65535\n  ring1_dns_name: node-ring1\n"));
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Message.Contains("discovery.port 65535 leaves no port for link 1", StringComparison.Ordinal));
    }

    [Fact]
    public void An_interface_block_for_a_link_discovery_does_not_name_is_a_warning()
    {
        var result = Load(Discovery("", "  transport: knet\n  interface {\n    linknumber: 1\n  }\n"));
        Assert.True(result.IsValid, Errors(result));
        Assert.Contains(result.Warnings, w => w.Message.Contains("interface block for linknumber 1 (line 4), but discovery has no ring1_dns_name", StringComparison.Ordinal));
    }
}
