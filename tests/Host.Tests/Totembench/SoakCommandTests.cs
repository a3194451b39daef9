namespace Totem.Host.Tests.Totembench;

public sealed class SoakCommandTests
{
    private static async Task<(int Exit, string Output)> Run(params string[] args)
    {
        var run = await TotembenchRun.RunAsync(args);
        return (run.Exit, run.Text);
    }

    [Fact]
    public async Task A_busy_soak_runs_its_seeds_and_sums_them_as_the_plain_one_does()
    {
        var (exit, text) = await Run("soak", "--scenario", "crashes", "--seeds", "2", "--first-seed", "5", "--parallel", "1", "--busy");
        Assert.True(exit == 0, text);
        Assert.Contains("crashes: 2 seeds (5..6)", text);
        Assert.Contains("1 passed, 0 failed", text);
    }

    [Fact]
    public async Task Known_failures_of_the_plain_mode_are_refused_with_busy_nodes()
    {
        var (exit, text) = await Run("soak", "--scenario", "crashes", "--seeds", "1", "--busy", "--known-failures", "tests/Nodes.Tests/Simulator/KnownFailingSeeds.txt");
        Assert.Equal(2, exit);
        Assert.Contains("--known-failures lists seeds of the plain mode; it cannot be combined with --busy or --interleave", text);
    }
}
