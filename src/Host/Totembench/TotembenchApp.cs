using System.CommandLine;
using System.Diagnostics;
using Totem.Nodes.Simulator.Scenarios;

namespace Totem.Host.Totembench;

/// <summary>
/// totembench: the simulator's benchmark-style commands. <c>soak</c> runs thousands of seeded scenarios and
/// lists every failing seed; <c>replay</c> re-runs one seed with its log; <c>timing</c> prints how long a
/// crash takes to become a new membership against corosync's bounds; <c>seal</c> what sealing a datagram costs;
/// <c>hotpath</c> bytes allocated and time per received datagram and per delivered message;
/// <c>fuzz</c> decodes a million mutated datagrams of real traffic (the long run of the codec fuzz test).
/// </summary>
public sealed class TotembenchApp(TextWriter output, TextWriter error)
{
    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var root = new RootCommand("totembench: seeded whole-cluster simulations of the Totem ring (soak, replay, timing, seal, hotpath) and the decode-path fuzzer (fuzz)");
        root.Add(SoakCommand());
        root.Add(ReplayCommand());
        root.Add(TraceDigests.Command(output, error));
        root.Add(TimingBenchmark.Command(output));
        root.Add(SealBenchmark.Command(output));
        root.Add(HotPathBenchmark.Command(output));
        root.Add(FuzzCommand.Command(output));
        root.Add(WhatifCommand.Command(output, error));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) await error.WriteLineAsync($"totembench: {e.Message}").ConfigureAwait(false);
            await error.WriteLineAsync("Try 'totembench --help'.").ConfigureAwait(false);
            return 2;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, ct).ConfigureAwait(false);
    }

    internal static Option<string> ScenarioOption(string defaultValue) => new("--scenario")
    {
        Description = string.Join(" | ", Enum.GetValues<ScenarioKind>().Select(RandomScenarios.NameOf)) + (defaultValue == "all" ? " | all" : ""),
        DefaultValueFactory = _ => defaultValue,
        Validators =
        {
            result =>
            {
                var value = result.GetValueOrDefault<string>();
                if (value != "all" && !RandomScenarios.TryParse(value, out _))
                    result.AddError($"--scenario: unknown scenario '{value}'; expected {RandomScenarios.NameList(orAll: defaultValue == "all")}");
            },
        },
    };

    private Command SoakCommand()
    {
        var scenario = ScenarioOption("all");
        var seeds = new Option<int>("--seeds") { Description = "How many seeds per scenario", DefaultValueFactory = _ => 1000 };
        var first = new Option<int>("--first-seed") { Description = "The first seed (seeds run first, first+1, ...)", DefaultValueFactory = _ => 1 };
        var parallel = new Option<int>("--parallel") { Description = "Seeds run at once (each simulation is single-threaded)", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount / 2) };
        seeds.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError("--seeds must be at least 1"); });
        parallel.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError("--parallel must be at least 1"); });
        var known = new Option<FileInfo?>("--known-failures")
        {
            Description = "A file of 'scenario seed reason' lines: seeds already analysed and filed; they are reported but do not fail the soak",
        };
        var interleave = InterleaveOption();
        var busy = BusyOption();
        var cmd = new Command("soak", "Run many seeds of the random scenarios and list every failing seed with how to replay it") { scenario, seeds, first, parallel, known, interleave, busy };
        cmd.SetAction((p, ct) =>
        {
            KnownFailures list;
            if (p.GetValue(known) is not null && (p.GetValue(busy) || p.GetValue(interleave)))
            {
                // A listed seed was analysed in the plain mode; the same seed with busy nodes or interleaving is another run.
                error.WriteLine("totembench: --known-failures lists seeds of the plain mode; it cannot be combined with --busy or --interleave");
                return Task.FromResult(2);
            }
            try
            {
                list = p.GetValue(known) is { } file ? KnownFailures.Load(file.FullName) : KnownFailures.None;
            }
            catch (FormatException e)
            {
                error.WriteLine($"totembench: {e.Message}");
                return Task.FromResult(2);
            }
            return Task.FromResult(Soak(Kinds(p.GetValue(scenario)!), p.GetValue(first), p.GetValue(seeds), p.GetValue(parallel), list, new RunModes(p.GetValue(interleave), p.GetValue(busy)), ct));
        });
        return cmd;
    }

    private static Option<bool> InterleaveOption() => new("--interleave")
    {
        Description = "Let the inputs of one virtual instant interleave with the messages between a node's actors (opens the TokenHolder/Membership handshake's windows; other traces)",
    };

    private static Option<bool> BusyOption() => new("--busy")
    {
        Description = "Busy nodes: every mailbox run of a node's actors waits a seeded 0-50 ms first, as on a loaded 2-core machine (messages between a node's actors are overtaken by datagrams and timers; other traces)",
    };

    /// <summary>The simulation modes a soak runs every seed in.</summary>
    private readonly record struct RunModes(bool Interleave, bool Busy);

    private Command ReplayCommand()
    {
        var scenario = ScenarioOption("crashes");
        var seed = new Option<int>("--seed") { Description = "The seed to replay", Required = true };
        var lines = new Option<int>("--log-lines") { Description = "How many of the last log lines to print (0: all)", DefaultValueFactory = _ => 200 };
        var debug = new Option<bool>("--debug") { Description = "Capture debug lines too (the engine's state transitions)" };
        var trace = new Option<bool>("--trace") { Description = "Log every membership message put on the wire (join, leave, commit token, merge detect)" };
        var budget = new Option<long>("--event-budget") { Description = "Stop and report a livelock after this many events", DefaultValueFactory = _ => RandomScenarios.EventBudget };
        var interleave = InterleaveOption();
        var busy = BusyOption();
        var cmd = new Command("replay", "Re-run one seed exactly, with the nodes' log lines in virtual time") { scenario, seed, lines, debug, trace, budget, interleave, busy };
        cmd.SetAction(p =>
        {
            RandomScenarios.TryParse(p.GetValue(scenario)!, out var kind);
            RandomScenarios.EventBudget = p.GetValue(budget);
            var level = p.GetValue(debug) ? Serilog.Events.LogEventLevel.Debug : Serilog.Events.LogEventLevel.Information;
            var outcome = RandomScenarios.Run(kind, p.GetValue(seed), captureLogs: true, level, p.GetValue(trace), p.GetValue(interleave), p.GetValue(busy));
            var count = p.GetValue(lines);
            output.Write(outcome.Report(count <= 0 ? int.MaxValue : count));
            output.WriteLine(StatsLine(outcome));
            output.WriteLine($"trace sha256: {outcome.TraceHash}");
            return outcome.Passed ? 0 : 1;
        });
        return cmd;
    }

    internal static IReadOnlyList<ScenarioKind> Kinds(string name) =>
        name == "all" ? RandomScenarios.Soaked : [RandomScenarios.TryParse(name, out var kind) ? kind : throw new ArgumentException(name)];

    private int Soak(IReadOnlyList<ScenarioKind> kinds, int firstSeed, int seeds, int parallel, KnownFailures known, RunModes modes, CancellationToken ct)
    {
        var failures = 0;
        var knownFailing = 0;
        var failedClasses = 0;
        long totalSeeds = 0, totalEvents = 0;
        var totalVirtual = TimeSpan.Zero;
        var soakWatch = Stopwatch.StartNew();
        foreach (var kind in kinds)
        {
            var watch = Stopwatch.StartNew();
            var failed = new List<ScenarioOutcome>();
            var settle = new List<double>();
            var virtualTime = TimeSpan.Zero;
            var progressEvery = Math.Max(100, seeds / 20);
            var classKnown = 0;
            long events = 0, submitted = 0, crashes = 0, restarts = 0, leaves = 0, partitions = 0, fences = 0, pauses = 0, detected = 0, done = 0;
            var gate = new object();
            Parallel.For(firstSeed, firstSeed + seeds, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, seed =>
            {
                var outcome = RandomScenarios.Run(kind, seed, interleave: modes.Interleave, busy: modes.Busy);
                lock (gate)
                {
                    done++;
                    events += outcome.Stats.Events;
                    virtualTime += outcome.Stats.VirtualTime;
                    submitted += outcome.Stats.Submitted;
                    crashes += outcome.Stats.Crashes;
                    restarts += outcome.Stats.Restarts;
                    leaves += outcome.Stats.Leaves;
                    partitions += outcome.Stats.Partitions;
                    fences += outcome.Stats.Fences;
                    pauses += outcome.Stats.Pauses;
                    detected += outcome.Stats.PausesDetected;
                    if (outcome.Stats.SettleTime is { } s) settle.Add(s.TotalMilliseconds);
                    var isKnown = known.TryGetReason(kind, seed, out var reason);
                    if (!outcome.Passed && isKnown)
                    {
                        knownFailing++;
                        classKnown++;
                        output.WriteLine($"KNOWN {RandomScenarios.NameOf(kind)} seed {seed}: {outcome.Violations[0]}");
                        output.WriteLine($"  open because: {reason}");
                    }
                    else if (!outcome.Passed)
                    {
                        failed.Add(outcome);
                        output.WriteLine($"FAIL {RandomScenarios.NameOf(kind)} seed {seed}: {outcome.Violations[0]}");
                        output.WriteLine($"  replay: {outcome.TotembenchReplayCommand}");
                    }
                    else if (isKnown)
                    {
                        output.WriteLine($"FIXED {RandomScenarios.NameOf(kind)} seed {seed} passes now: take it off the known failures");
                    }
                    if (done % progressEvery == 0) output.WriteLine($"  {RandomScenarios.NameOf(kind)}: {done}/{seeds} seeds, {failed.Count} failing, {watch.Elapsed.TotalSeconds:F0} s");
                }
            });
            var elapsed = watch.Elapsed.TotalSeconds;
            totalSeeds += seeds;
            totalEvents += events;
            totalVirtual += virtualTime;
            output.WriteLine($"{RandomScenarios.NameOf(kind)}: {seeds} seeds ({firstSeed}..{firstSeed + seeds - 1}) in {elapsed:F1} s ({seeds / elapsed:F0} seeds/s, {events / elapsed:N0} events/s), " +
                             $"{virtualTime.TotalHours:F2} virtual hours, {events:N0} events, {submitted:N0} messages, {crashes} crashes, {restarts} restarts, {leaves} leaves, {partitions} partitions, {fences} fences" +
                             (pauses > 0 ? $", {pauses} pauses ({detected} detected)" : ""));
            if (settle.Count > 0)
            {
                settle.Sort();
                output.WriteLine($"  one ring after the last fault: min {settle[0]:F0} ms, median {settle[settle.Count / 2]:F0} ms, p95 {settle[(int)(settle.Count * 0.95)]:F0} ms, max {settle[^1]:F0} ms");
            }
            if (failed.Count == 0)
            {
                output.WriteLine(classKnown == 0 ? "  all seeds passed" : $"  no new failures; {classKnown} known failing seed(s), filed in the known failures");
                continue;
            }
            failures += failed.Count;
            failedClasses++;
            output.WriteLine($"  {failed.Count} failing seed(s): {string.Join(" ", failed.Select(f => f.Seed).Order())}");
            foreach (var outcome in failed.OrderBy(f => f.Seed).Take(5)) output.Write(outcome.Report(logLines: 0));
        }
        var wall = soakWatch.Elapsed.TotalSeconds;
        output.WriteLine($"soak: {totalSeeds:N0} seeds, {failures} failing ({knownFailing} more known and filed), {totalVirtual.TotalHours:F2} virtual hours, {totalEvents:N0} events in {wall:F1} s ({totalSeeds / wall:F0} seeds/s)");
        // The closing line CI sums: one test per scenario class (each passes only if every one of its seeds does).
        output.WriteLine($"{kinds.Count - failedClasses} passed, {failedClasses} failed");
        return failures == 0 ? 0 : 1;
    }

    private static string StatsLine(ScenarioOutcome outcome)
    {
        var s = outcome.Stats;
        return $"  stats: {s.VirtualTime.TotalSeconds:F1} s virtual, {s.Events:N0} events, {s.Submitted} messages, {s.Crashes} crashes, {s.Restarts} restarts, " +
               $"{s.Leaves} leaves, {s.Partitions} partitions, {s.Heals} heals, {s.Fences} fences, datagrams lost {s.DatagramsLost}, " +
               $"duplicated {s.DatagramsDuplicated}, blocked {s.DatagramsBlocked}, quorum check points {s.QuorumCheckPoints}";
    }
}
