using System.Text.Json;
using Totem.Host.Tests.Fixtures;
using Totem.Host.Totemctl;
using Totem.Nodes.Control;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Totemctl;

/// <summary>totemctl's real handlers, in-process, against the real control API on Kestrel.</summary>
public sealed class TotemctlCommandTests : IAsyncLifetime
{
    private ControlServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ControlServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(int Code, string Out, string Err)> Run(params string[] args) => _server.RunTotemctlAsync(args);

    [Fact]
    public async Task Status_prints_pvecm_sections_with_hex_node_ids()
    {
        var (code, output, _) = await Run("status");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (var section in new[] { "Cluster information", "Quorum information", "Votequorum information", "Membership information" })
            Assert.Contains(section + "\n" + new string('-', section.Length), output);
        Assert.Contains("Name:             local-ring", output);
        Assert.Contains("Transport:        knet", output);
        Assert.Contains("Ring ID:          1.2c", output);
        Assert.Contains("Quorate:          Yes", output);
        Assert.Contains("Expected votes:   5", output);
        Assert.Contains("0x00000001          1 node1 (local)", output);
        Assert.Contains("0x00000005          1 node5", output);
    }

    [Fact]
    public async Task Quorum_check_exits_1_when_not_quorate_and_0_when_quorate()
    {
        Assert.Equal(ExitCodes.Ok, (await Run("quorum", "--check")).Code);
        _server.Node.Status = ScriptedNode.FiveNodeRing(quorate: false);
        var (code, output, _) = await Run("quorum", "--check");
        Assert.Equal(ExitCodes.NotQuorate, code);
        Assert.Contains("Quorate:          No", output);
        Assert.Contains("Quorum:           3  Activity blocked", output);
        Assert.Contains("         1          1 node1 (local)", output);
        Assert.DoesNotContain("node3", output);
        Assert.Equal(ExitCodes.Ok, (await Run("quorum")).Code);
    }

    [Fact]
    public async Task Json_output_is_the_api_dto()
    {
        var (code, output, _) = await Run("status", "--json");
        Assert.Equal(ExitCodes.Ok, code);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(5, json.GetProperty("members").GetArrayLength());
        Assert.True(json.GetProperty("quorate").GetBoolean());
        Assert.Equal("knet", json.GetProperty("transport").GetString());
    }

    [Fact]
    public async Task Runtime_prints_cmapctl_lines()
    {
        var (code, output, _) = await Run("runtime", "runtime.config.totem.");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(["runtime.config.totem.consensus (u32) = 5940", "runtime.config.totem.token (u32) = 4950"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Rings_prints_cfgtool_status_with_disconnected_peers()
    {
        _server.Node.Status = ScriptedNode.FiveNodeRing(quorate: false);
        var (code, output, _) = await Run("rings");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("Local node ID 1, transport knet", output);
        Assert.Contains("nodeid:    2:\tconnected", output);
        Assert.Contains("nodeid:    4:\tdisconnected (last heard 12.3 s ago)", output);
    }

    [Fact]
    public async Task Rings_prints_one_cfgtool_block_per_knet_link_and_rings_n_each_peers_links()
    {
        _server.Node.Status = ScriptedNode.TwoLinkRing();
        var (code, output, _) = await Run("rings");
        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["Local node ID 1, transport knet", "LINK ID 0 udp", "\taddr\t= 127.0.0.1:5405", "\tstatus:", "\t\tnodeid:    1:\tlocalhost",
            "\t\tnodeid:    2:\tconnected\t(127.0.0.2)", "\t\tnodeid:    3:\tconnected\t(127.0.0.3)", "\t\tnodeid:    4:\tdisconnected\t(127.0.0.4)",
            "\t\tnodeid:    5:\tconnected\t(127.0.0.5)", "LINK ID 1 udp", "\taddr\t= 127.0.1.1:5405"], lines.Take(11));
        Assert.Contains("\t\tnodeid:    4:\tconnected\t(127.0.1.4)", lines);

        (code, output, _) = await Run("rings", "-n");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("nodeid: 4 reachable", output);
        Assert.Contains("   LINK: 0 udp (127.0.0.1->127.0.0.4) enabled mtu: 1500 latency p50: 0.25 ms p99: 0.9 ms pings: 40 pongs: 30 down: 1", output);
        Assert.Contains("   LINK: 1 udp (127.0.1.1->127.0.1.4) enabled connected mtu: 1500 latency p50: 0.25 ms p99: 0.9 ms pings: 40 pongs: 38 down: 0", output);
    }

    [Fact]
    public async Task Fault_drop_on_a_link_cuts_it_both_ways_and_clear_link_heals_it()
    {
        var (code, output, _) = await Run("fault", "drop", "--link", "0");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(new LinkFault(0, 0, 100), _server.Node.GetFaults().ForLink(0));
        Assert.Contains("link 0 (both ways)", output);
        (code, _, _) = await Run("fault", "delay", "20ms", "--link", "1");
        Assert.Equal(ExitCodes.Ok, code);
        (code, _, _) = await Run("fault", "clear", "--link", "0");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal([1u], _server.Node.GetFaults().Links.Select(l => l.Link));
        var (usage, _, error) = await Run("fault", "drop", "--link", "0", "--peer", "2");
        Assert.Equal(ExitCodes.UsageOrConnection, usage);
        Assert.Contains("--peer and --link do not go together", error);
        (usage, _, error) = await Run("fault", "loss", "10%", "--link", "9");
        Assert.Equal(ExitCodes.UsageOrConnection, usage);
        Assert.Contains("--link must be a link number 0..7", error);
    }

    [Fact]
    public async Task Send_posts_the_text_and_expected_sets_votes()
    {
        var (code, output, _) = await Run("send", "hello ring");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("Queued as submission 0 (10 bytes)", output);
        Assert.Equal("hello ring", System.Text.Encoding.UTF8.GetString(Assert.Single(_server.Node.Submitted)));
        var expected = await Run("expected", "3");
        Assert.Equal(ExitCodes.Ok, expected.Code);
        Assert.Contains("Expected votes: 3, quorum: 2", expected.Out);
    }

    [Fact]
    public async Task A_refusal_from_totemd_is_exit_2_with_its_reason()
    {
        _server.Node.OnExpected = _ => SetExpectedVotesResult.Refused("expected votes 1 is below the 5 votes of the current members");
        var (code, _, error) = await Run("expected", "1");
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("refused: 409", error);
        Assert.Contains("below the 5 votes", error);
    }

    [Fact]
    public async Task Timeouts_without_a_config_print_what_the_node_runs()
    {
        var totem = TotemSettings.Default with { Token = 2000 };
        _server.Node.Timeouts = new RunningTimeouts(TotemTimeouts.Derive(totem, 7), totem, FencingSettings.Default);
        var (code, output, error) = await Run("timeouts");
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("Effective timeouts for 7 nodes (what node 1 runs now):", output);
        Assert.Contains("token 2000 + (7 - 2) x token_coefficient 650", output);
        Assert.Contains("A crashed node is noticed after the effective token timeout: 5250 ms.", output);
        Assert.Contains("about 11550 ms", output);

        var json = JsonDocument.Parse((await Run("timeouts", "--json")).Out).RootElement;
        Assert.Equal(1u, json.GetProperty("node").GetUInt32());
        Assert.Equal(5250u, json.GetProperty("timeouts").GetProperty("token").GetUInt32());
    }

    [Fact]
    public async Task Timeouts_with_nodes_and_no_config_stay_corosyncs_defaults_without_asking_the_node()
    {
        _server.Node.Timeouts = new RunningTimeouts(TotemTimeouts.Derive(TotemSettings.Default with { Token = 2000 }, 7), TotemSettings.Default, FencingSettings.Default);
        var (code, output, _) = await Run("timeouts", "--nodes", "3");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("Effective timeouts for 3 nodes (corosync defaults):", output);
        Assert.Contains("effective token timeout: 3650 ms", output);
    }

    [Fact]
    public async Task Reload_prints_every_members_answer_and_exits_0_when_all_took_it()
    {
        var (code, output, _) = await Run("reload");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(1, _server.Node.ReloadRequests);
        Assert.StartsWith("Config reload requested by node 1 (request 1): 5 of 5 members answered\n", output.Replace("\r", ""));
        Assert.Contains("  node 3: applied, config_version 2: totem.config_version: 1 -> 2; totem.token: 3000 -> 5000", output);
    }

    [Fact]
    public async Task Reload_refused_on_a_member_shows_its_file_line_and_exits_3()
    {
        const string refusal = "/etc/corosync/corosync.conf:7:3: error: Modified entry 'totem.transport' in corosync.conf cannot be changed at run-time (knet -> udpu); the reload changed nothing";
        _server.Node.OnReload = () => ScriptedNode.Reload(new Dictionary<int, (Totem.Protocol.Config.Reload.ReloadOutcome, ulong, string)>
        {
            [1] = (Totem.Protocol.Config.Reload.ReloadOutcome.Applied, 2, "totem.token: 3000 -> 5000"),
            [2] = (Totem.Protocol.Config.Reload.ReloadOutcome.Refused, 1, refusal),
            [3] = (Totem.Protocol.Config.Reload.ReloadOutcome.Invalid, 1, "/etc/corosync/corosync.conf:9:10: error: value of key 'totem.token' is expected to be an integer"),
            [4] = (Totem.Protocol.Config.Reload.ReloadOutcome.Unchanged, 2, ""),
        });
        var (code, output, _) = await Run("reload");
        Assert.Equal(ExitCodes.ReloadNotTaken, code);
        Assert.Contains("4 of 5 members answered", output);
        Assert.Contains("  node 2: refused, config_version 1\n    " + refusal, output.Replace("\r", ""));
        Assert.Contains("    /etc/corosync/corosync.conf:9:10: error: value of key 'totem.token'", output);
        Assert.Contains("  node 4: unchanged, config_version 2: the file says what the node runs", output);
        Assert.Contains("  node 5: no answer", output);
        Assert.Contains("did not take on every node", output);

        var json = await Run("reload", "--json");
        using var doc = JsonDocument.Parse(json.Out);
        Assert.False(doc.RootElement.GetProperty("allTook").GetBoolean());
        Assert.Equal("refused", doc.RootElement.GetProperty("nodes")[1].GetProperty("outcome").GetString());
        Assert.Equal(5u, doc.RootElement.GetProperty("missing")[0].GetUInt32());
    }

    [Fact]
    public async Task Fault_commands_set_show_and_clear_the_node_s_faults()
    {
        Assert.Equal(ExitCodes.Ok, (await Run("fault", "delay", "20ms", "--jitter", "5ms")).Code);
        Assert.Equal(ExitCodes.Ok, (await Run("fault", "loss", "10%", "--peer", "3")).Code);
        Assert.Equal(new LinkFault(20, 5, 0), _server.Node.GetFaults().All);
        Assert.Equal(new LinkFault(20, 5, 10), _server.Node.GetFaults().For(new NodeId(3)));
        var (code, output, _) = await Run("fault", "show");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("20 ms", output);
        Assert.Contains("10%", output);
        Assert.Equal(ExitCodes.Ok, (await Run("fault", "clear")).Code);
        Assert.True(_server.Node.GetFaults().IsNone);
        Assert.Contains("No faults injected.", (await Run("fault", "show")).Out);
    }

    [Theory]
    [InlineData("fault", "delay", "soon")]
    [InlineData("fault", "loss", "150%")]
    [InlineData("fault", "jam")]
    [InlineData("expected", "0")]
    [InlineData("expected", "many")]
    [InlineData("messages", "--from", "-4")]
    [InlineData("frobnicate")]
    [InlineData("reload", "now")]
    [InlineData("reload", "--force")]
    public async Task Bad_arguments_exit_2_before_contacting_the_node(params string[] args)
    {
        var (code, _, error) = await Run(args);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.StartsWith("totemctl: ", error);
        Assert.Empty(_server.Node.ExpectedRequests);
        Assert.Equal(0, _server.Node.ReloadRequests);
        Assert.True(_server.Node.GetFaults().IsNone);
    }

    [Fact]
    public async Task An_unreachable_node_is_exit_2_naming_the_url_and_the_cause()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (code, _, error) = await OfflineTotemctl.Run("status", "--node", $"127.0.0.1:{port}");
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Equal($"totemctl: cannot reach totemd at http://127.0.0.1:{port}/: connection refused", error.Trim());
    }

    [Fact]
    public void The_node_comes_from_the_flag_then_the_environment_then_the_default()
    {
        var app = new TotemctlApp(TextWriter.Null, TextWriter.Null, TotemctlApp.DefaultHttpClient, v => v == "TOTEMCTL_NODE" ? "127.0.0.3:7405" : null);
        var root = app.BuildCommand();
        Assert.Equal(new Uri("http://127.0.0.3:7405/"), app.ResolveNode(root.Parse(["status"]), out _));
        Assert.Equal(new Uri("http://10.0.0.9:9/"), app.ResolveNode(root.Parse(["status", "--node", "http://10.0.0.9:9"]), out _));
        var plain = new TotemctlApp(TextWriter.Null, TextWriter.Null, TotemctlApp.DefaultHttpClient, _ => null);
        Assert.Equal(new Uri("http://127.0.0.1:7405/"), plain.ResolveNode(plain.BuildCommand().Parse(["status"]), out _));
        Assert.Null(plain.ResolveNode(plain.BuildCommand().Parse(["status", "--node", "ftp://x"]), out var problem));
        Assert.Contains("not a node URL", problem);
    }

    [Fact]
    public async Task Messages_table_lists_delivered_messages_and_the_next_index()
    {
        _server.Node.Delivered.Add(new DeliveredApplicationMessage(0, new RingId(new NodeId(1), 0x2c), 7, new NodeId(4), "hi"u8.ToArray(), ScriptedNode.Now));
        var (code, output, _) = await Run("messages", "--from", "0");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("hi", output);
        Assert.Contains("1 messages; next: --from 1", output);
    }
}
