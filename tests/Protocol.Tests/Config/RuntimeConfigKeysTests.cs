using Totem.Protocol.Config;
using static Totem.Protocol.Tests.Config.ConfigTestSupport;

namespace Totem.Protocol.Tests.Config;

public class RuntimeConfigKeysTests
{
    [Fact]
    public void Runtime_keys_carry_the_effective_values_under_corosyncs_names_in_cmapctl_order()
    {
        var keys = RuntimeConfigKeys.From(TotemTimeouts.Derive(TotemSettings.Default, 4));
        Assert.Equal(
        [
            "runtime.config.totem.consensus (u32) = 5160",
            "runtime.config.totem.downcheck (u32) = 1000",
            "runtime.config.totem.fail_recv_const (u32) = 2500",
            "runtime.config.totem.hold (u32) = 808",
            "runtime.config.totem.join (u32) = 50",
            "runtime.config.totem.max_messages (u32) = 17",
            "runtime.config.totem.max_network_delay (u32) = 50",
            "runtime.config.totem.merge (u32) = 200",
            "runtime.config.totem.miss_count_const (u32) = 5",
            "runtime.config.totem.send_join (u32) = 0",
            "runtime.config.totem.seqno_unchanged_const (u32) = 30",
            "runtime.config.totem.token (u32) = 4300",
            "runtime.config.totem.token_retransmit (u32) = 1023",
            "runtime.config.totem.token_retransmits_before_loss_const (u32) = 4",
            "runtime.config.totem.token_warning (u32) = 75",
            "runtime.config.totem.window_size (u32) = 50",
        ], keys.Select(k => k.ToString()));
    }

    [Fact]
    public void Config_keys_list_only_what_the_file_set_plus_runtime_keys()
    {
        var result = ClusterConfigParser.Parse(Fixture("votequorum-two-node.conf"), "two.conf", NoEnvironment);
        Assert.True(result.IsValid, Errors(result));
        var config = result.Config!;
        var keys = RuntimeConfigKeys.From(config, config.Timeouts()).ToDictionary(k => k.Key, k => k.ToString());
        Assert.Equal("totem.token (u32) = 1000", keys["totem.token"]);
        Assert.Equal("runtime.config.totem.token_retransmit (u32) = 238", keys["runtime.config.totem.token_retransmit"]);
        Assert.Equal("quorum.two_node (u8) = 1", keys["quorum.two_node"]);
        Assert.Equal("nodelist.node.1.ring0_addr (str) = 10.0.1.243", keys["nodelist.node.1.ring0_addr"]);
        Assert.Equal("runtime.config.totem.interface.0.mcastport (u16) = 5405", keys["runtime.config.totem.interface.0.mcastport"]);
        Assert.False(keys.ContainsKey("totem.consensus"));
        Assert.False(keys.ContainsKey("nodelist.node.0.nodeid"));
    }

    [Fact]
    public void The_keyfile_is_a_config_key_and_an_inline_key_never_is()
    {
        var withFile = Load(Minimal("  keyfile: /etc/corosync/other-authkey\n"));
        Assert.True(withFile.IsValid, Errors(withFile));
        var keys = RuntimeConfigKeys.From(withFile.Config!, withFile.Config!.Timeouts()).ToDictionary(k => k.Key, k => k.ToString());
        Assert.Equal("totem.keyfile (str) = /etc/corosync/other-authkey", keys["totem.keyfile"]);

        var inline = Load(Minimal("  key: " + new string('k', 200) + "\n"));
        Assert.True(inline.IsValid, Errors(inline));
        var inlineKeys = RuntimeConfigKeys.From(inline.Config!, inline.Config!.Timeouts());
        Assert.DoesNotContain(inlineKeys, k => k.Key is "totem.key" or "totem.keyfile" || k.ToString().Contains("kkkk", StringComparison.Ordinal));
    }
}
