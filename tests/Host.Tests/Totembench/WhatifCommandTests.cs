using System.Text.Json;

namespace Totem.Host.Tests.Totembench;

public sealed class WhatifCommandTests
{
    private static async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        var run = await TotembenchRun.RunAsync(args);
        return (run.Exit, run.Output, run.Error);
    }

    [Fact]
    public async Task Every_malformed_profile_line_is_reported_with_its_number_and_nothing_runs()
    {
        using var profile = await TempFile.WriteAsync("whatif", ".profile", "latency 0.1ms\njitter burst 5ms every 1m\nloss 1\nstall 1s every 1m on all\n");
        var (exit, output, error) = await Run("whatif", "--nodes", "3", "--profile", profile.Path, "--hours", "0.01");
        Assert.Equal(2, exit);
        Assert.Contains($"{profile.Path}:2: 'jitter burst' is 'jitter burst EXTRA for LENGTH every PERIOD", error);
        Assert.Contains($"{profile.Path}:3: loss: '1' is not a percentage from 0% to 100%", error);
        Assert.Contains($"{profile.Path}: 2 problem(s); nothing was run", error);
        Assert.Empty(output);
    }

    [Fact]
    public async Task Bad_tokens_and_plot_files_are_refused_by_name()
    {
        using var profile = await TempFile.WriteAsync("whatif", ".profile", "latency 0.1ms\n");
        var (exit, _, error) = await Run("whatif", "--nodes", "3", "--profile", profile.Path, "--tokens", "1000,fast", "--plot", "out.gif");
        Assert.Equal(2, exit);
        Assert.Contains("--tokens: 'fast' is not a token in ms from 100 to 600000", error);
        Assert.Contains("--plot: 'out.gif' must end in .png or .svg", error);
    }

    [Fact]
    public async Task The_json_report_and_the_plot_carry_the_search_and_its_recommendation()
    {
        using var profile = await TempFile.WriteAsync("whatif", ".profile", "latency 0.2ms\nstall 1500ms every 30s on node 2\n");
        var plot = Path.Combine(Path.GetTempPath(), $"whatif-{Guid.NewGuid():N}.svg");
        try
        {
            var (exit, output, error) = await Run("whatif", "--nodes", "3", "--profile", profile.Path, "--hours", "0.05", "--crash-seeds", "1",
                "--tokens", "1000,3000", "--json", "--plot", plot);
            Assert.True(exit == 0, error);
            using var json = JsonDocument.Parse(output);
            var report = json.RootElement.GetProperty("report");
            Assert.Equal(3, report.GetProperty("nodes").GetInt32());
            Assert.Equal(3650u, report.GetProperty("tokenMs").GetUInt32());
            Assert.True(report.GetProperty("rotationMaxMs").GetDouble() > 1500, "a 1.5 s stall of node 2 holds the token back");
            Assert.True(report.GetProperty("crashNewMembershipMaxMs").GetDouble() > 0);
            var search = json.RootElement.GetProperty("search").EnumerateArray().ToList();
            Assert.Equal([1000u, 3000u], search.Select(s => s.GetProperty("tokenMs").GetUInt32()));
            Assert.True(search[0].GetProperty("tokenLossesPerDay").GetDouble() > 0);
            Assert.Equal(3000u, json.RootElement.GetProperty("recommendation").GetProperty("tokenMs").GetUInt32());
            var svg = await File.ReadAllTextAsync(plot);
            Assert.Contains("<svg", svg);
            Assert.Contains("recommended: 3000 ms", svg);
        }
        finally
        {
            File.Delete(plot);
        }
    }
}
