namespace Totem.Host.Tests.Totembench;

public sealed class TraceDigestsTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"totembench-digests-{Guid.NewGuid():N}.txt");

    public void Dispose() => File.Delete(_file);

    private static async Task<(int Exit, string Output)> Run(params string[] args)
    {
        var run = await TotembenchRun.RunAsync(args);
        return (run.Exit, run.Text);
    }

    [Fact]
    public async Task Digests_written_by_a_build_check_clean_against_the_same_build_and_name_every_seed_that_differs()
    {
        var (written, text) = await Run("digests", "--scenario", "traffic", "--seeds", "2", "--first-seed", "3", "--parallel", "1", "--write", _file);
        Assert.True(written == 0, text);
        var lines = File.ReadAllLines(_file);
        Assert.Equal(2, lines.Length);
        Assert.Matches("^traffic 3 [0-9a-f]{64} [1-9][0-9]* [1-9][0-9]* 0$", lines[0]);
        Assert.StartsWith("traffic 4 ", lines[1], StringComparison.Ordinal);

        var (clean, cleanText) = await Run("digests", "--check", _file, "--parallel", "1");
        Assert.True(clean == 0, cleanText);
        Assert.Contains("digests: 2 seeds checked, 0 differ", cleanText);

        // Another trace for seed 4 than this build produces: the check names it and fails.
        var fields = lines[1].Split(' ');
        fields[2] = new string('0', 64);
        File.WriteAllLines(_file, [lines[0], string.Join(' ', fields)]);
        var (differs, differsText) = await Run("digests", "--check", _file, "--parallel", "1");
        Assert.Equal(1, differs);
        Assert.Contains("DIFFERS traffic seed 4", differsText);
        Assert.DoesNotContain("DIFFERS traffic seed 3", differsText);
        Assert.Contains($"  actual:   {lines[1]}", differsText);
        Assert.Contains("digests: 2 seeds checked, 1 differ", differsText);
    }

    [Fact]
    public async Task A_malformed_digest_file_is_refused_naming_its_file_and_line()
    {
        File.WriteAllLines(_file, ["traffic 3 abc 10 10 0", "traffic three abc"]);

        var (exit, text) = await Run("digests", "--check", _file);

        Assert.Equal(2, exit);
        Assert.Contains($"{_file}:2: expected 'scenario seed trace-sha256 events virtual-ticks violations', got 'traffic three abc'", text);
    }

    [Fact]
    public async Task Digests_want_exactly_one_of_write_and_check()
    {
        var (exit, text) = await Run("digests", "--seeds", "1");

        Assert.Equal(2, exit);
        Assert.Contains("give exactly one of --write FILE or --check FILE", text);
    }
}
