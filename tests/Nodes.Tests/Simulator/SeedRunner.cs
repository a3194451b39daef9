using System.Text;
using Totem.Nodes.Simulator.Scenarios;
using Xunit.Abstractions;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>
/// Runs a scenario over many seeds and fails with every failing seed, each with its violations, script,
/// last log lines (from a replay with logs captured) and the command that replays it. With TOTEM_SIM_SEED
/// set, only that seed runs (with its log), so a failure replays exactly.
/// </summary>
internal static class SeedRunner
{
    public const string SeedVariable = "TOTEM_SIM_SEED";

    public static void RunSeeds(ScenarioKind kind, int firstSeed, int count, ITestOutputHelper output, bool busy = false) =>
        RunSeeds(kind, Enumerable.Range(firstSeed, count).ToList(), output, busy);

    /// <summary>Runs the given seeds (pinned seeds that once failed beyond the default range); busy: with busy nodes (SimulationOptions.BusyNodes).</summary>
    public static void RunSeeds(ScenarioKind kind, IReadOnlyList<int> pinned, ITestOutputHelper output, bool busy = false)
    {
        var replay = Environment.GetEnvironmentVariable(SeedVariable);
        var seeds = replay is null
            ? pinned.ToList()
            : [int.TryParse(replay, out var only) ? only : throw new InvalidOperationException($"{SeedVariable}='{replay}' is not an integer seed")];
        var failures = new StringBuilder();
        var outcomes = new ScenarioOutcome[seeds.Count];
        // Each simulation is single-threaded and independent: two at a time use the machine's two cores.
        Parallel.For(0, seeds.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 },
            i => outcomes[i] = RandomScenarios.Run(kind, seeds[i], captureLogs: replay is not null, busy: busy));
        var settle = outcomes.Where(o => o.Stats.SettleTime is not null).Select(o => o.Stats.SettleTime!.Value.TotalMilliseconds).ToList();
        var failed = new List<int>();
        foreach (var outcome in outcomes.Where(o => !o.Passed))
        {
            failed.Add(outcome.Seed);
            // The replay with logs is the same run (a seed replays exactly); only the report gets the log lines.
            var reported = replay is null && failed.Count <= 5 ? RandomScenarios.Run(kind, outcome.Seed, captureLogs: true, busy: busy) : outcome;
            failures.AppendLine(failed.Count <= 5 || replay is not null ? reported.Report() : $"scenario {RandomScenarios.NameOf(kind)} seed {outcome.Seed}: {outcome.Violations[0]}");
        }
        if (settle.Count > 0)
        {
            settle.Sort();
            output.WriteLine($"{RandomScenarios.NameOf(kind)}: {seeds.Count} seeds, one ring after the last fault: median {settle[settle.Count / 2]:F0} ms, max {settle[^1]:F0} ms");
        }
        if (failed.Count == 0) return;
        Assert.Fail($"{failed.Count} of {seeds.Count} {RandomScenarios.NameOf(kind)} seeds failed: {string.Join(" ", failed)}\n" +
                    $"replay one with {SeedVariable}=<seed> dotnet test tests/Nodes.Tests --filter \"FullyQualifiedName~RandomScenarioTests\"\n\n{failures}");
    }
}
