using Totem.Protocol.Config;
using Totem.Protocol.Wire;
using static Totem.Protocol.Tests.Config.ConfigTestSupport;

namespace Totem.Protocol.Tests.Config;

public class ClusterConfigParserTests
{
    [Fact]
    public void Bad_number_is_refused_with_file_line_key_and_expected_form()
    {
        var result = Load(Minimal("  token: abc\n"));
        Assert.False(result.IsValid);
        Assert.Null(result.Config);
        Assert.Equal(
            "test.conf:4:10: error: value of key 'totem.token' is expected to be an integer in range (0..4294967295) (milliseconds), but \"abc\" was given",
            Assert.Single(result.Errors).ToString());
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("4294967296")]
    [InlineData("10 ms")]
    public void Negative_fractional_overflowing_or_suffixed_numbers_are_refused(string value)
    {
        var result = Load(Minimal($"  join: {value}\n"));
        Assert.Contains($"value of key 'totem.join' is expected to be an integer in range (0..4294967295) (milliseconds), but \"{value}\" was given",
            Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Bad_boolean_names_the_accepted_forms()
    {
        var result = Load(Minimal(extraSections: "quorum {\n  two_node: maybe\n}\n"));
        Assert.Equal(
            "test.conf:16:13: error: value of key 'quorum.two_node' is expected to be a boolean (yes/no, on/off, true/false or 1/0), but \"maybe\" was given",
            Assert.Single(result.Errors).ToString());
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("no", false)]
    [InlineData("off", false)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    public void Booleans_accept_corosync_and_hocon_spellings(string text, bool expected)
    {
        var result = Load(Minimal(extraSections: $"quorum {{\n  last_man_standing: {text}\n}}\n"));
        Assert.True(result.IsValid, Errors(result));
        Assert.Equal(expected, result.Config!.Quorum.LastManStanding);
    }

    [Fact]
    public void Unknown_key_and_section_give_warnings_with_file_line_and_do_not_stop_the_load()
    {
        var result = Load(Minimal("  tokn: 1000\n", extraSections: "extras {\n}\n"));
        Assert.True(result.IsValid, Errors(result));
        Assert.Equal(
        [
            "test.conf:4:3: warning: unknown key 'totem.tokn'; ignored",
            "test.conf:16:1: warning: unknown section 'extras'; ignored",
        ], result.Warnings.Select(w => w.ToString()));
    }

    [Fact]
    public void Key_set_twice_keeps_the_last_value_with_a_warning()
    {
        var result = Load(Minimal("  token: 1000\n  token: 2000\n"));
        Assert.True(result.IsValid);
        Assert.Equal(2000u, result.Config!.Totem.Token);
        Assert.Equal("test.conf:5:3: warning: key 'totem.token' is set again (first at line 4); the last value is used",
            Assert.Single(result.Warnings).ToString());
    }

    [Fact]
    public void Corosync_keys_this_engine_does_not_use_are_named_as_such()
    {
        var result = Load(Minimal("  netmtu: 1500\n"));
        Assert.True(result.IsValid);
        Assert.StartsWith("test.conf:4:3: warning: key 'totem.netmtu' is not used by this engine", Assert.Single(result.Warnings).ToString());
    }

    [Fact]
    public void Required_environment_variable_missing_is_an_error_naming_the_variable()
    {
        var result = Load(Minimal("  token: ${TOTEM_TOKEN}\n"));
        Assert.False(result.IsValid);
        Assert.StartsWith("test.conf:4:10: error: environment variable TOTEM_TOKEN is not set, but key 'token' requires it",
            Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Optional_environment_variable_missing_leaves_the_key_absent()
    {
        var unset = Load(Minimal("  token: ${?TOTEM_TOKEN}\n"));
        Assert.True(unset.IsValid, Errors(unset));
        Assert.Null(unset.Config!.Totem.Token);
        Assert.False(unset.Config.Positions.ContainsKey("totem.token"));

        var set = Load(Minimal("  token: ${?TOTEM_TOKEN}\n"), Environment(("TOTEM_TOKEN", "1500")));
        Assert.Equal(1500u, set.Config!.Totem.Token);
    }

    [Fact]
    public void Substituted_bad_value_is_reported_at_the_line_that_asked_for_it()
    {
        var result = Load(Minimal("  token: ${?TOTEM_TOKEN}\n"), Environment(("TOTEM_TOKEN", "fast")));
        Assert.Equal("test.conf:4:10: error: value of key 'totem.token' is expected to be an integer in range (0..4294967295) (milliseconds), but \"fast\" was given",
            Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Our_sections_have_their_defaults_when_absent()
    {
        var config = Load(Minimal()).Config!;
        Assert.Equal(DiscoverySettings.Default, config.Discovery);
        Assert.Equal(FencingSettings.Default, config.Fencing);
        Assert.Equal(new ControlSettings("127.0.0.1", 7405), config.Control);
        Assert.Equal(LoggingSettings.Default, config.Logging);
        Assert.Equal(QuorumSettings.Default, config.Quorum);
    }

    [Theory]
    [InlineData("10.0.0.1:8080", "10.0.0.1", 8080)]
    [InlineData("[::1]:7405", "::1", 7405)]
    [InlineData("localhost:1", "localhost", 1)]
    public void Control_bind_parses_address_and_port(string bind, string address, int port)
    {
        var config = Load(Minimal(extraSections: $"control {{\n  bind: \"{bind}\"\n}}\n")).Config!;
        Assert.Equal(new ControlSettings(address, (ushort)port), config.Control);
    }

    [Theory]
    [InlineData("7405")]
    [InlineData("10.0.0.1:0")]
    [InlineData("10.0.0.1:70000")]
    [InlineData("::1:7405")]
    public void Control_bind_without_a_valid_port_is_refused(string bind)
    {
        var result = Load(Minimal(extraSections: $"control {{\n  bind: {bind}\n}}\n"));
        Assert.Equal($"value of key 'control.bind' is expected to be ADDRESS:PORT (e.g. 127.0.0.1:7405 or [::1]:7405), but \"{bind}\" was given",
            Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void Fencing_and_discovery_choices_are_checked()
    {
        var result = Load(Minimal(extraSections: "fencing {\n  mode: reboot\n}\ndiscovery {\n  nodeid_source: mac\n}\n"));
        Assert.Equal(
        [
            "test.conf:16:9: error: value of key 'fencing.mode' is expected to be one of 'exit', 'none', but \"reboot\" was given",
            "test.conf:19:18: error: value of key 'discovery.nodeid_source' is expected to be one of 'address', 'reverse_dns_replica', but \"mac\" was given",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("lowest", AutoTieBreakerMode.Lowest, "")]
    [InlineData("highest", AutoTieBreakerMode.Highest, "")]
    [InlineData("3 1", AutoTieBreakerMode.List, "3 1")]
    public void Auto_tie_breaker_node_forms(string text, AutoTieBreakerMode mode, string nodes)
    {
        var result = Load(Minimal(extraSections: $"quorum {{\n  auto_tie_breaker: 1\n  auto_tie_breaker_node: {text}\n}}\n"));
        Assert.True(result.IsValid, Errors(result));
        Assert.Equal(mode, result.Config!.Quorum.AutoTieBreaker);
        Assert.Equal(nodes, result.Config.Quorum.AutoTieBreakerNodes.ToString());
    }

    [Fact]
    public void Invalid_auto_tie_breaker_node_disables_atb_with_votequorums_warning()
    {
        var result = Load(Minimal(extraSections: "quorum {\n  auto_tie_breaker: 1\n  auto_tie_breaker_node: first\n}\n"));
        Assert.True(result.IsValid);
        Assert.Equal(AutoTieBreakerMode.Off, result.Config!.Quorum.AutoTieBreaker);
        Assert.Contains("It must be 'lowest', 'highest' or a space-separated list of node IDs. auto_tie_breaker is disabled",
            Assert.Single(result.Warnings).Message);
    }

    [Fact]
    public void Node_entries_keep_their_line_and_default_votes()
    {
        var config = Load(Minimal(nodes: 3)).Config!;
        Assert.Equal(new NodeEntry(new NodeId(2), null, "10.0.0.2", 1, 10), config.Nodelist[1]);
        Assert.Equal(new SourcePosition("test.conf", 11, 5), config.Positions["nodelist.node.1.nodeid"]);
    }
}
