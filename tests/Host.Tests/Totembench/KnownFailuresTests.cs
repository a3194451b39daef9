using Totem.Host.Totembench;
using Totem.Nodes.Simulator.Scenarios;

namespace Totem.Host.Tests.Totembench;

public sealed class KnownFailuresTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"known-{Guid.NewGuid():N}.txt");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Lines_of_scenario_seed_and_reason_are_read_and_comments_skipped()
    {
        File.WriteAllLines(_path, ["# comment", "", "crashes 1006804 three consensus rounds", "partition-safety 7 never converges"]);
        var known = KnownFailures.Load(_path);
        Assert.Equal(2, known.Count);
        Assert.True(known.TryGetReason(ScenarioKind.Crashes, 1006804, out var reason));
        Assert.Equal("three consensus rounds", reason);
        Assert.True(known.TryGetReason(ScenarioKind.PartitionSafety, 7, out _));
        Assert.False(known.TryGetReason(ScenarioKind.Traffic, 7, out _));
    }

    [Theory]
    [InlineData("crashes 12", ":1: expected 'scenario seed reason'")]
    [InlineData("bogus 12 why", ":1: unknown scenario 'bogus'")]
    [InlineData("crashes twelve why", ":1: seed 'twelve' is not a number")]
    public void A_bad_line_is_refused_naming_file_and_line(string line, string expected)
    {
        File.WriteAllLines(_path, [line]);
        var error = Assert.Throws<FormatException>(() => KnownFailures.Load(_path));
        Assert.Contains(_path + expected, error.Message);
    }

    [Fact]
    public void A_seed_listed_twice_is_refused()
    {
        File.WriteAllLines(_path, ["traffic 5 a", "traffic 5 b"]);
        var error = Assert.Throws<FormatException>(() => KnownFailures.Load(_path));
        Assert.Contains(":2: traffic seed 5 is listed twice", error.Message);
    }

    [Fact]
    public void The_shipped_list_of_the_ci_soak_parses()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "cluster.sln"))) root = Path.GetDirectoryName(root)!;
        // .ci/run passes this file to the soak; a line it cannot read would stop CI's soak with exit 2.
        var exception = Record.Exception(() => KnownFailures.Load(Path.Combine(root, "tests", "Nodes.Tests", "Simulator", "KnownFailingSeeds.txt")));
        Assert.Null(exception);
    }
}
