using System.Text.Json;
using Totem.Host.Totemctl;

namespace Totem.Host.Tests.Totemctl;

/// <summary>
/// `totemctl explain` on real corosync 3.1.7 logs (ExplainFixtures/README.md: 5 nodes with corosync's defaults,
/// node 5 killed at 14:29:56.524, node 4 cut off at 14:30:12.605) and a hand-written corosync 2 one.
/// </summary>
public sealed class ExplainCommandTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Totemctl", "ExplainFixtures", name);

    private static Task<(int Code, string Out, string Err)> Explain(string fixture, params string[] more) =>
        OfflineTotemctl.Run(["explain", Fixture(fixture), "--year", "2026", .. more]);

    [Fact]
    public async Task A_killed_node_is_timed_from_the_fault_against_token_plus_consensus_less_a_hold()
    {
        var (code, output, err) = await Explain("corosync3-hires-node1.log", "--fault-at", "14:29:56.524");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", err);
        Assert.Contains("5 nodes: token 4950 ms, consensus 5940 ms, hold 932 ms, token warning at 3712 ms", output);
        Assert.Contains("=> Node 5 failed: declared failed 10.190 s after the fault; token 4950 + consensus 5940 predicts 10.0-10.9 s: as predicted.", output);
        Assert.Contains("[4.948 s after the last token; token 4950 ms]", output);
        Assert.Contains("[consensus wait 5.948 s; consensus 5940 ms]", output);
        // The fault time is used once; the cut of node 4 is timed from the last token node 1 saw.
        Assert.Contains("=> Node 4 failed: declared failed 10.896 s after the last token seen; token 4950 + consensus 5940 predicts 10.890 s: as predicted.", output);
        Assert.DoesNotContain("skipped", output);
    }

    [Theory]
    [InlineData("corosync3-timestamp-on-node2.log")]
    [InlineData("journal-short-node1.log")]
    [InlineData("journal-short-iso-precise-node1.log")]
    [InlineData("corosync3-hires-node1.log")]
    public async Task Every_format_tells_the_same_two_failures(string fixture)
    {
        var (code, output, _) = await Explain(fixture, "--json");
        Assert.Equal(ExitCodes.Ok, code);
        var changes = JsonDocument.Parse(output).RootElement.GetProperty("changes").EnumerateArray().ToList();
        var failures = changes.Where(c => c.GetProperty("change").GetProperty("failed").GetArrayLength() > 0).ToList();
        Assert.Equal(2, failures.Count);
        Assert.Equal(["1.15", "1.19"], failures.Select(c => c.GetProperty("change").GetProperty("ringId").GetString()));
        Assert.Equal([5u, 4u], failures.Select(c => c.GetProperty("change").GetProperty("failed")[0].GetUInt32()));
        Assert.All(failures, c => Assert.True(c.GetProperty("asPredicted").GetBoolean()));
        // Node 2 joined on node 1's declaration, whose last token was up to a second earlier; to-the-second logs add ±1 s.
        Assert.All(failures, c => Assert.InRange(c.GetProperty("faultToNewMembershipMs").GetDouble(), 9_000, 11_900));
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetProperty("diagnostics").GetArrayLength());
    }

    [Fact]
    public async Task A_log_without_timestamps_still_tells_the_story_and_says_it_cannot_time_it()
    {
        var (code, output, _) = await Explain("corosync3-no-timestamp-node3.log");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("=> Node 5 failed; the log has no times to measure the failover with (logging.timestamp: hires gives them).", output);
        Assert.Contains("=> Node 4 failed; the log has no times", output);
    }

    [Fact]
    public async Task The_node_cut_off_is_told_it_lost_quorum()
    {
        var (_, output, _) = await Explain("corosync3-partitioned-node4.log");
        Assert.Contains("ring 4.19; members 4; NOT quorate", output);
        Assert.Contains("=> Nodes 1 2 3 failed: declared failed", output);
        Assert.Contains("this node lost quorum here (non-primary component)", output);
    }

    [Fact]
    public async Task A_corosync_2_log_is_compared_with_corosync_2s_defaults()
    {
        var (_, output, _) = await Explain("corosync2-3nodes.log");
        Assert.Contains("compared with corosync 2's defaults (token 1000 ms)", output);
        Assert.Contains("3 nodes: token 1650 ms, consensus 1980 ms", output);
        Assert.Contains("ring 10.0.0.1:112; members 1 2; quorate", output);
        Assert.Contains("token 1650 + consensus 1980 predicts 3.630 s: as predicted.", output);
    }

    [Fact]
    public async Task The_wrong_ring_size_is_caught_by_the_logged_token()
    {
        var (_, output, _) = await Explain("corosync3-hires-node1.log", "--nodes", "3");
        Assert.Contains("token 3650 + consensus 4380 predicts 8.030 s: NOT as predicted.", output);
        Assert.Contains("corosync logged token timed out (4950ms) where this config predicts 3650 ms", output);
        Assert.Contains("longer than the timeouts explain", output);
    }

    [Fact]
    public async Task The_config_file_gives_the_ring_size_and_timeouts()
    {
        var (code, output, _) = await Explain("corosync3-hires-node1.log", "--config", Fixture("corosync3-5nodes.conf"));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("compared with " + Fixture("corosync3-5nodes.conf") + ":", output);
        Assert.Contains("5 nodes: token 4950 ms", output);
    }

    [Fact]
    public async Task Malformed_lines_are_reported_with_their_numbers_and_the_rest_is_still_explained()
    {
        var lines = (await File.ReadAllLinesAsync(Fixture("corosync3-hires-node1.log"))).ToList();
        lines.Insert(10, "garbage that is no log line");
        lines.Insert(50, "Dec 07 25:61:00.000 [16881] vm corosync notice  [TOTEM ] A new membership (9.99) was formed. Members left: 2");
        lines.Insert(20, "Dec 07 14:29:49 vm pmxcfs[999]: [status] notice: update cluster info");
        using var file = await TempFile.WriteLinesAsync("totem-explain", ".log", lines);
        var path = file.Path;
        var (code, output, _) = await OfflineTotemctl.Run("explain", path, "--year", "2026");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("2 lines skipped:", output);
        Assert.Contains($"{path}:11: not a corosync log line", output);
        // Inserted at index 50 before the pmxcfs line went in at 20: it is line 52 now.
        Assert.Contains($"{path}:52: timestamp 'Dec 07 25:61:00.000' is not a syslog time", output);
        Assert.DoesNotContain("pmxcfs", output);
        Assert.DoesNotContain("ring 9.99", output);
        Assert.Contains("=> Node 5 failed: declared failed", output);
        Assert.Contains("=> Node 4 failed: declared failed", output);
    }

    [Fact]
    public async Task A_missing_log_or_a_bad_fault_time_is_a_clear_error()
    {
        var (code, _, err) = await OfflineTotemctl.Run("explain", "/nonexistent/corosync.log");
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("/nonexistent/corosync.log", err);
        (code, _, err) = await Explain("corosync3-hires-node1.log", "--fault-at", "yesterday");
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("--fault-at 'yesterday' is not a time", err);
    }
}
