using Totem.Protocol.Config;
using Totem.Protocol.Config.Reload;
using static Totem.Protocol.Tests.Config.ConfigTestSupport;

namespace Totem.Protocol.Tests.Config;

/// <summary>cfg.c's reload as <see cref="ConfigReload.Plan"/> decides it: what is taken, what is refused (named), and errors (file:line).</summary>
public class ConfigReloadTests
{
    private static ClusterConfig Running(string text)
    {
        var loaded = Load(text);
        Assert.True(loaded.IsValid, Errors(loaded));
        return loaded.Config!;
    }

    private static ReloadPlan Reload(string before, string after, int ringSize = 2) =>
        ConfigReload.Plan(Running(before), Load(after), ringSize);

    [Fact]
    public void Changed_timing_is_applied_and_derived_again_as_at_start()
    {
        var plan = Reload(Minimal("  token: 3000\n  config_version: 1\n", nodes: 5),
                          Minimal("  token: 5000\n  config_version: 2\n  join: 60\n", nodes: 5), ringSize: 5);

        Assert.Equal(ReloadOutcome.Applied, plan.Outcome);
        Assert.Equal(["totem.config_version: 1 -> 2", "totem.join: (unset) -> 60", "totem.token: 3000 -> 5000"], plan.Changes.Select(c => c.ToString()));
        Assert.Equal(5000u + 3 * 650, plan.Timeouts!.Token);
        Assert.Equal((uint)(int)(float)(1.2 * 6950), plan.Timeouts.Consensus);
        Assert.Equal(60u, plan.Timeouts.Join);
        Assert.Equal(2ul, plan.ConfigVersion);
        Assert.Empty(plan.Problems);
    }

    [Theory]
    [InlineData("token_coefficient: 100")]
    [InlineData("consensus: 9000")]
    [InlineData("fail_recv_const: 3000")]
    [InlineData("seqno_unchanged_const: 40")]
    [InlineData("send_join: 20")]
    [InlineData("downcheck: 2000")]
    [InlineData("max_messages: 20")]
    [InlineData("window_size: 60")]
    [InlineData("token_retransmits_before_loss_const: 10")]
    [InlineData("hold: 100")]
    [InlineData("merge: 300")]
    [InlineData("miss_count_const: 6")]
    [InlineData("token_warning: 50")]
    [InlineData("max_network_delay: 60")]
    public void Every_volatile_timing_key_is_taken_at_run_time(string line)
    {
        var plan = Reload(Minimal(), Minimal($"  {line}\n"));
        Assert.Equal(ReloadOutcome.Applied, plan.Outcome);
        Assert.Equal("totem." + line.Split(':')[0], Assert.Single(plan.Changes).Key);
    }

    [Fact]
    public void The_same_file_is_unchanged()
    {
        var plan = Reload(Minimal("  token: 4000\n"), Minimal("  token: 4000\n"));
        Assert.Equal(ReloadOutcome.Unchanged, plan.Outcome);
        Assert.Empty(plan.Changes);
        Assert.Equal(4000u, plan.Timeouts!.Token);
    }

    [Theory]
    [InlineData("transport: udpu", "transport: udp", "totem.transport")]
    [InlineData("cluster_name: a", "cluster_name: b", "totem.cluster_name")]
    [InlineData("ip_version: ipv4", "ip_version: ipv6", "totem.ip_version")]
    [InlineData("nodeid: 1", "nodeid: 2", "totem.nodeid")]
    [InlineData("netmtu: 1500", "netmtu: 9000", "totem.netmtu")]
    public void Keys_corosync_cannot_change_at_run_time_refuse_the_reload_named_and_placed(string before, string after, string key)
    {
        var plan = Reload(Minimal($"  {before}\n  token: 3000\n"), Minimal($"  {after}\n  token: 5000\n"));

        Assert.Equal(ReloadOutcome.Refused, plan.Outcome);
        Assert.Null(plan.Timeouts);
        Assert.Null(plan.Config);
        var refusal = Assert.Single(plan.Refusals);
        Assert.Equal(key, refusal.Key);
        Assert.Equal(4, refusal.Position.Line);
        Assert.StartsWith($"test.conf:4:3: error: Modified entry '{key}' in corosync.conf cannot be changed at run-time", refusal.ToString());
    }

    [Fact]
    public void A_changed_crypto_cipher_is_refused()
    {
        var knet = "totem {\n  version: 2\n  transport: knet\n  crypto_cipher: CIPHER\n  crypto_hash: sha256\n}\nnodelist {\n  node {\n    nodeid: 1\n    ring0_addr: 10.0.0.1\n  }\n}\n";
        var plan = Reload(knet.Replace("CIPHER", "aes256"), knet.Replace("CIPHER", "aes128"), ringSize: 1);
        Assert.Equal(ReloadOutcome.Refused, plan.Outcome);
        Assert.Equal("totem.crypto_cipher", Assert.Single(plan.Refusals).Key);
    }

    [Fact]
    public void A_changed_interface_address_is_refused_by_link_and_key()
    {
        var text = Minimal("  interface {\n    linknumber: 0\n    mcastport: PORT\n  }\n");
        var plan = Reload(text.Replace("PORT", "5405"), text.Replace("PORT", "5406"));
        Assert.Equal("totem.interface.0.mcastport", Assert.Single(plan.Refusals).Key);
        Assert.Contains("cannot be changed at run-time", plan.Refusals[0].Message);
    }

    [Fact]
    public void Keys_corosync_changes_but_totemd_cannot_yet_are_refused_saying_restart()
    {
        var plan = Reload(Minimal(nodes: 3), Minimal(nodes: 4), ringSize: 3);
        Assert.Equal(ReloadOutcome.Refused, plan.Outcome);
        var refusal = Assert.Single(plan.Refusals, r => r.Key == "nodelist.node.3.nodeid");
        Assert.Contains("cannot be changed at run-time by totemd", refusal.Message);
        Assert.Contains("restart the node", refusal.Message);
    }

    [Fact]
    public void A_refused_key_stops_the_timing_change_beside_it()
    {
        var plan = Reload(Minimal("  token: 3000\n", extraSections: "fencing {\n  timeout: 10000\n}\n"),
                          Minimal("  token: 9000\n", extraSections: "fencing {\n  timeout: 20000\n}\n"));
        Assert.Equal(ReloadOutcome.Refused, plan.Outcome);
        Assert.Equal("fencing.timeout", Assert.Single(plan.Refusals).Key);
        Assert.Null(plan.Timeouts);
        Assert.Equal(2, plan.Changes.Count);
    }

    [Fact]
    public void A_syntax_error_changes_nothing_and_says_file_line()
    {
        var plan = Reload(Minimal(), Minimal("  token 5000\n"));
        Assert.Equal(ReloadOutcome.Invalid, plan.Outcome);
        Assert.Null(plan.Timeouts);
        var error = Assert.Single(plan.Problems);
        Assert.StartsWith("test.conf:4:", error);
    }

    [Fact]
    public void A_value_error_changes_nothing_and_names_key_and_line()
    {
        var plan = Reload(Minimal(), Minimal("  config_version: 3\n  token: soon\n"));
        Assert.Equal(ReloadOutcome.Invalid, plan.Outcome);
        Assert.Equal("test.conf:5:10: error: value of key 'totem.token' is expected to be an integer in range (0..4294967295) (milliseconds), but \"soon\" was given",
            Assert.Single(plan.Problems));
    }

    [Fact]
    public void A_token_below_corosyncs_minimum_is_an_error_not_a_change()
    {
        var plan = Reload(Minimal(), Minimal("  token: 10\n"));
        Assert.Equal(ReloadOutcome.Invalid, plan.Outcome);
        Assert.Contains(plan.Problems, p => p.StartsWith("test.conf:4:3: error:", StringComparison.Ordinal) && p.Contains("token timeout"));
    }

    private static string Discovered(uint expected) =>
        $"totem {{\n  version: 2\n  transport: udpu\n}}\ndiscovery {{\n  dns_name: node\n}}\nquorum {{\n  provider: corosync_votequorum\n  expected_votes: {expected}\n}}\n";

    [Fact]
    public void Without_a_nodelist_expected_votes_resizes_the_token_as_a_nodelist_change_does_in_corosync()
    {
        var plan = Reload(Discovered(5), Discovered(7), ringSize: 5);
        Assert.Equal(ReloadOutcome.Applied, plan.Outcome);
        Assert.Equal(ConfigReload.ExpectedVotes, Assert.Single(plan.Changes).Key);
        Assert.Equal(7, plan.Timeouts!.NodeCount);
        Assert.Equal(3000u + 5 * 650, plan.Timeouts.Token);
    }

    [Fact]
    public void A_file_that_gives_no_ring_size_keeps_the_size_running()
    {
        var plan = Reload(Minimal("  token: 1000\n", nodes: 1).Replace("nodelist {\n  node {\n    nodeid: 1\n    ring0_addr: 10.0.0.1\n  }\n}\n", "discovery {\n  dns_name: node\n}\n"),
                          Minimal("  token: 2000\n", nodes: 1).Replace("nodelist {\n  node {\n    nodeid: 1\n    ring0_addr: 10.0.0.1\n  }\n}\n", "discovery {\n  dns_name: node\n}\n"), ringSize: 4);
        Assert.Equal(ReloadOutcome.Applied, plan.Outcome);
        Assert.Equal(4, plan.Timeouts!.NodeCount);
        Assert.Equal(2000u + 2 * 650, plan.Timeouts.Token);
    }
}
