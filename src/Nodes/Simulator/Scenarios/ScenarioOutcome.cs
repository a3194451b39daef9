namespace Totem.Nodes.Simulator.Scenarios;

/// <summary>What one seeded scenario did and found; <see cref="Report"/> is what a failing test prints.</summary>
public sealed record ScenarioOutcome(
    ScenarioKind Kind,
    int Seed,
    int NodeCount,
    IReadOnlyList<string> Violations,
    IReadOnlyList<string> Script,
    IReadOnlyList<CapturedLog> Logs,
    ScenarioStats Stats)
{
    public bool Passed => Violations.Count == 0;

    /// <summary>SHA-256 over the run's ordered event trace: two runs of one seed have the same.</summary>
    public string TraceHash { get; init; } = "";

    /// <summary>The run let one instant's inputs interleave with the actors' messages (SimulationOptions.InterleaveSameInstant).</summary>
    public bool Interleaved { get; init; }

    /// <summary>The run delayed every mailbox run of the nodes' actors (SimulationOptions.BusyNodes).</summary>
    public bool Busy { get; init; }

    /// <summary>The seed, scenario, violations, the fault script and the last log lines, with the replay command.</summary>
    public string Report(int logLines = 50) =>
        ScenarioReport.Write($"scenario {RandomScenarios.NameOf(Kind)} seed {Seed} ({NodeCount} nodes)", Violations, Script, Logs, logLines, ReplayCommand);

    public string ReplayCommand =>
        (Interleaved || Busy ? "" : $"TOTEM_SIM_SEED={Seed} dotnet test tests/Nodes.Tests --filter \"FullyQualifiedName~RandomScenarioTests\"   or: ") +
        TotembenchReplayCommand;

    /// <summary>The one command that re-runs this seed with its full story (what a soak prints for each failure).</summary>
    public string TotembenchReplayCommand =>
        $"dotnet run --project src/Host/Totembench -c Release -- replay --scenario {RandomScenarios.NameOf(Kind)} --seed {Seed}{(Interleaved ? " --interleave" : "")}{(Busy ? " --busy" : "")} --debug --trace --log-lines 0";
}

/// <summary>Counts of what a scenario injected and what the cluster did.</summary>
public sealed record ScenarioStats(
    TimeSpan VirtualTime,
    long Events,
    int Submitted,
    int Crashes,
    int Restarts,
    int Leaves,
    int Partitions,
    int Heals,
    int Fences,
    long DatagramsLost,
    long DatagramsDuplicated,
    long DatagramsBlocked,
    TimeSpan? SettleTime,
    int QuorumCheckPoints)
{
    /// <summary>Process pauses injected (the pauses scenario).</summary>
    public int Pauses { get; init; }

    /// <summary>How often a node logged "Process pause detected" and flushed its membership messages.</summary>
    public long PausesDetected { get; init; }
}
