using System.Text.Json;
using Totem.Host.Control;
using Totem.Host.Totemctl;
using Totem.Protocol.Config;

namespace Totem.Host.Tests.Totemctl;

public sealed class TimeoutsCommandTests
{
    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => OfflineTotemctl.Run(args);

    [Fact]
    public async Task Three_nodes_with_corosync_defaults_give_a_3650_ms_token()
    {
        var (code, output, _) = await Run("timeouts", "--nodes", "3");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("A crashed node is noticed after the effective token timeout: 3650 ms.", output);
        // consensus = 1.2 x 3650 = 4380; the new membership after token + consensus.
        Assert.Contains("about 8030 ms", output);
        Assert.Contains("watchdog timeout (10000 ms): about 18030 ms", output);
        Assert.DoesNotContain("Warnings:", output);
    }

    [Fact]
    public async Task Json_gives_the_derived_numbers()
    {
        var (code, output, _) = await Run("timeouts", "--nodes", "5", "--json");
        Assert.Equal(ExitCodes.Ok, code);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(4950u, json.GetProperty("detectionMs").GetUInt32());
        Assert.Equal(4950u + 5940u, json.GetProperty("newMembershipMs").GetUInt32());
        Assert.Equal(1178u, json.GetProperty("timeouts").GetProperty("tokenRetransmit").GetUInt32());
    }

    [Fact]
    public void Large_rings_are_warned_about()
    {
        var report = TimeoutsReport.Build(null, TotemSettings.Default, FencingSettings.Default, 16);
        Assert.Equal(12100u, report.DetectionMs);
        Assert.Contains(report.Warnings, w => w.Contains("effective token 12100 ms is above 10000 ms") && w.Contains("token_coefficient adds 9100 ms"));
    }

    [Fact]
    public async Task The_config_gives_the_node_count_and_its_own_values()
    {
        using var file = await TempFile.WriteAsync("totem-timeouts", ".conf", """
            totem {
              version: 2
              cluster_name: t
              transport: udpu
              token: 1000
            }
            nodelist {
              node { nodeid: 1
                ring0_addr: 127.0.0.1 }
              node { nodeid: 2
                ring0_addr: 127.0.0.2 }
              node { nodeid: 3
                ring0_addr: 127.0.0.3 }
              node { nodeid: 4
                ring0_addr: 127.0.0.4 }
            }
            fencing {
              mode: exit
              timeout: 2000
            }
            """);
        var path = file.Path;
        var (code, output, error) = await Run("timeouts", "--config", path);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("Effective timeouts for 4 nodes", output);
        Assert.Contains("effective token timeout: 2300 ms", output);
        Assert.Contains("watchdog timeout (2000 ms)", output);
    }

    [Fact]
    public async Task Without_config_or_nodes_it_asks_the_node_and_says_when_none_answers()
    {
        // Port 1: nothing listens there, so the command must have tried the node and not printed defaults.
        var (code, output, error) = await Run("timeouts", "--node", "http://127.0.0.1:1");
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("cannot reach totemd at http://127.0.0.1:1/", error);
        Assert.Empty(output);
    }

    [Fact]
    public async Task A_config_without_a_ring_size_asks_for_nodes()
    {
        using var file = await TempFile.WriteAsync("totem-timeouts", ".conf", """
            totem {
              version: 2
              cluster_name: t
              transport: udpu
            }
            discovery {
              dns_name: node
            }
            """);
        var path = file.Path;
        var (code, _, error) = await Run("timeouts", "--config", path);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains($"give --nodes N: {path} has no nodelist and no quorum.expected_votes", error);
    }

    [Fact]
    public async Task A_bad_config_is_refused_with_its_diagnostics()
    {
        var (code, _, error) = await Run("timeouts", "--config", "/nonexistent/corosync.conf");
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("/nonexistent/corosync.conf", error);
        Assert.Contains("does not exist", error);
    }
}
