using Totem.Protocol.Config;
using Totem.Protocol.Links;
using static Totem.Protocol.Tests.Config.ConfigTestSupport;

namespace Totem.Protocol.Tests.Config;

/// <summary>ring0_addr..ring7_addr, the interface blocks' knet keys, link_mode, and corosync's checks on them.</summary>
public class LinkConfigTests
{
    private static string Knet(string totemExtra, params string[] nodes) =>
        $"totem {{\n  version: 2\n  transport: knet\n{totemExtra}}}\nnodelist {{\n{string.Concat(nodes)}}}\n";

    private static string Node(int id, params string[] rings) =>
        $"  node {{\n    nodeid: {id}\n{string.Concat(rings.Select((a, i) => a.Length == 0 ? "" : $"    ring{i}_addr: {a}\n"))}  }}\n";

    [Fact]
    public void Ring_addresses_of_every_link_are_read_by_link_number()
    {
        var result = Load(Knet("", Node(1, "10.0.0.1", "10.1.0.1", "", "10.3.0.1"), Node(2, "10.0.0.2", "10.1.0.2", "", "10.3.0.2")));
        Assert.True(result.IsValid, Errors(result));
        Assert.Empty(result.Warnings);
        var node = result.Config!.Nodelist[0];
        Assert.Equal([0u, 1u, 3u], node.LinkNumbers);
        Assert.Equal(("10.0.0.1", "10.1.0.1", null, "10.3.0.1"), (node.AddressOf(0), node.AddressOf(1), node.AddressOf(2), node.AddressOf(3)));
    }

    [Fact]
    public void Heartbeat_defaults_follow_the_effective_token_and_the_pong_count()
    {
        // 3 nodes: effective token 3000 + 650 = 3650; interval 3650 / 4 = 912, timeout 3650 / 2 = 1825 (integer division).
        var result = Load(Knet("  interface {\n    linknumber: 1\n    knet_pong_count: 5\n    knet_link_priority: 20\n  }\n",
            Node(1, "10.0.0.1", "10.1.0.1"), Node(2, "10.0.0.2", "10.1.0.2"), Node(3, "10.0.0.3", "10.1.0.3")));
        Assert.True(result.IsValid, Errors(result));
        var config = result.Config!;
        var links = LinkSettings.For([0, 1], config.Totem, config.Timeouts());
        Assert.Equal(new LinkSettings(0, 1, TimeSpan.FromMilliseconds(912), TimeSpan.FromMilliseconds(1825), 2), links[0]);
        // pong count 5: timeout token / 5 = 730, interval token / 10 = 365.
        Assert.Equal(new LinkSettings(1, 20, TimeSpan.FromMilliseconds(365), TimeSpan.FromMilliseconds(730), 5), links[1]);
    }

    [Fact]
    public void One_of_the_heartbeat_pair_set_leaves_the_other_derived()
    {
        var block = new TotemInterface(0, null, null, 5405, 1) { KnetPingTimeout = 900 };
        var link = LinkSettings.Derive(0, block, 3000);
        Assert.Equal((750.0, 900.0, 2), (link.PingInterval.TotalMilliseconds, link.PingTimeout.TotalMilliseconds, link.PongCount));
        link = LinkSettings.Derive(0, block with { KnetPingTimeout = null, KnetPingInterval = 100 }, 3000);
        Assert.Equal((100.0, 1500.0), (link.PingInterval.TotalMilliseconds, link.PingTimeout.TotalMilliseconds));
    }

    [Theory]
    [InlineData("passive", LinkMode.Passive)]
    [InlineData("active", LinkMode.Active)]
    [InlineData("rr", LinkMode.RoundRobin)]
    public void Link_modes_are_read(string word, LinkMode mode)
    {
        var result = Load(Knet($"  link_mode: {word}\n", Node(1, "10.0.0.1", "10.1.0.1"), Node(2, "10.0.0.2", "10.1.0.2")));
        Assert.True(result.IsValid, Errors(result));
        Assert.Equal(mode, LinkModes.Parse(result.Config!.Totem.LinkMode));
        Assert.Equal(word, mode.Word());
    }

    [Fact]
    public void A_node_missing_a_link_another_node_has_is_refused_at_that_node()
    {
        var result = Load(Knet("", Node(1, "10.0.0.1", "10.1.0.1"), Node(2, "10.0.0.2")));
        var error = Assert.Single(result.Errors);
        Assert.Equal(13, error.Position.Line); // node 2's ring0_addr line
        Assert.Contains("node 2 (line 11) has no ring1_addr, but node 1 (line 6) has one", error.Message);
        Assert.Contains("Not all nodes have the same number of links", error.Message);
    }

    [Fact]
    public void Two_links_on_one_address_need_two_ports()
    {
        // Default ports 5405 and 5406: one address carries both links.
        Assert.True(Load(Knet("", Node(1, "127.0.0.1", "127.0.0.1"), Node(2, "127.0.0.2", "127.0.0.2"))).IsValid);
        var result = Load(Knet("  interface {\n    linknumber: 1\n    mcastport: 5405\n  }\n",
            Node(1, "127.0.0.1", "127.0.0.1"), Node(2, "127.0.0.2", "127.0.0.2")));
        var errors = result.Errors.ToList();
        Assert.Equal(2, errors.Count);
        var error = errors[0];
        Assert.Equal(13, error.Position.Line); // node 1's ring1_addr
        Assert.Contains("node 1: ring1_addr and ring0_addr are both 127.0.0.1 with port 5405: two links cannot share one socket", error.Message);
    }

    [Fact]
    public void Link_number_above_7_is_refused_at_its_line()
    {
        var result = Load(Knet("  interface {\n    linknumber: 8\n  }\n", Node(1, "10.0.0.1"), Node(2, "10.0.0.2")));
        var error = Assert.Single(result.Errors);
        Assert.Equal(5, error.Position.Line);
        Assert.Contains("interface ring number 8 is bigger than allowed maximum 7", error.Message);
    }

    [Theory]
    [InlineData("knet_link_priority: 256", "knet_link_priority 256 is out of range: knet link priorities are 0..255")]
    [InlineData("knet_pong_count: 0", "totem.interface.knet_pong_count is 0: knet needs at least 1")]
    [InlineData("knet_ping_interval: 0", "totem.interface.knet_ping_interval is 0: knet needs at least 1 (milliseconds)")]
    [InlineData("knet_ping_timeout: 0", "totem.interface.knet_ping_timeout is 0")]
    [InlineData("knet_ping_timeout: fast", "value of key 'totem.interface.knet_ping_timeout' is expected to be an integer")]
    public void Bad_knet_values_are_refused_at_the_key(string line, string message)
    {
        var result = Load(Knet($"  interface {{\n    linknumber: 0\n    {line}\n  }}\n", Node(1, "10.0.0.1"), Node(2, "10.0.0.2")));
        var error = Assert.Single(result.Errors);
        Assert.Equal(6, error.Position.Line);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_ping_timeout_shorter_than_the_interval_is_warned_about()
    {
        var result = Load(Knet("  interface {\n    linknumber: 0\n    knet_ping_interval: 500\n    knet_ping_timeout: 200\n  }\n",
            Node(1, "10.0.0.1"), Node(2, "10.0.0.2")));
        Assert.True(result.IsValid, Errors(result));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(7, warning.Position.Line);
        Assert.Contains("shorter than knet_ping_interval 500 ms", warning.Message);
    }

    [Fact]
    public void Redundant_links_need_knet()
    {
        var result = Load(Minimal().Replace("ring0_addr: 10.0.0.2\n", "ring0_addr: 10.0.0.2\n    ring1_addr: 10.1.0.2\n", StringComparison.Ordinal));
        var error = Assert.Single(result.Errors);
        Assert.Contains("ring1_addr of node 2: transport udpu runs a single link; redundant links need transport knet", error.Message);
    }

    [Fact]
    public void An_interface_block_for_a_link_no_node_has_is_warned_about_at_the_block()
    {
        var result = Load(Knet("  interface {\n    linknumber: 2\n  }\n", Node(1, "10.0.0.1"), Node(2, "10.0.0.2")));
        Assert.True(result.IsValid, Errors(result));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(4, warning.Position.Line);
        Assert.Contains("no node has a ring2_addr", warning.Message);
    }

    [Fact]
    public void Mixed_ip_families_on_one_link_are_refused()
    {
        var result = Load(Knet("", Node(1, "10.0.0.1", "10.1.0.1"), Node(2, "10.0.0.2", "fd00::2")));
        var error = Assert.Single(result.Errors);
        Assert.Contains("Nodes for link 1 have different IP families (compared fd00::2 with 10.1.0.1)", error.Message);
    }
}
