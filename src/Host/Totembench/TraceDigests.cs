using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Totem.Nodes.Simulator.Scenarios;

namespace Totem.Host.Totembench;

/// <summary>
/// <c>totembench digests</c>: one line per seed (scenario, seed, trace SHA-256, events, virtual ticks, violations) written
/// by one build and checked by another, so a change meant to make the simulator faster is shown to leave every seed's
/// run exactly as it was. <c>--write</c> records the seeds given; <c>--check</c> re-runs the seeds a file lists and
/// names each one whose line differs.
/// </summary>
internal static class TraceDigests
{
    public static Command Command(TextWriter output, TextWriter error)
    {
        var scenario = TotembenchApp.ScenarioOption("all");
        var seeds = new Option<int>("--seeds") { Description = "How many seeds per scenario (with --write)", DefaultValueFactory = _ => 2000 };
        var first = new Option<int>("--first-seed") { Description = "The first seed (with --write)", DefaultValueFactory = _ => 1 };
        var parallel = new Option<int>("--parallel") { Description = "Seeds run at once", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount / 2) };
        var write = new Option<FileInfo?>("--write") { Description = "Run the seeds and write their digests to this file" };
        var check = new Option<FileInfo?>("--check") { Description = "Re-run every seed this file lists and compare its digest" };
        seeds.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError("--seeds must be at least 1"); });
        parallel.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError("--parallel must be at least 1"); });
        var cmd = new Command("digests", "Write or check a trace digest per seed: the same build, or a faster simulator, must give every seed the same line")
        {
            scenario, seeds, first, parallel, write, check,
        };
        cmd.Validators.Add(r =>
        {
            if ((r.GetValue(write) is null) == (r.GetValue(check) is null)) r.AddError("digests: give exactly one of --write FILE or --check FILE");
        });
        cmd.SetAction((p, ct) =>
        {
            if (p.GetValue(write) is { } target)
            {
                var kinds = TotembenchApp.Kinds(p.GetValue(scenario)!);
                var wanted = kinds.SelectMany(k => Enumerable.Range(p.GetValue(first), p.GetValue(seeds)).Select(s => (k, s))).ToList();
                var lines = Run(wanted, p.GetValue(parallel), output, ct);
                File.WriteAllLines(target.FullName, lines.Select(l => l.Text));
                output.WriteLine($"digests: {lines.Count:N0} seeds written to {target.FullName}");
                return Task.FromResult(0);
            }
            List<Digest> expected;
            try
            {
                expected = Load(p.GetValue(check)!.FullName);
            }
            catch (FormatException e)
            {
                error.WriteLine($"totembench: {e.Message}");
                return Task.FromResult(2);
            }
            var actual = Run(expected.Select(d => (d.Kind, d.Seed)).ToList(), p.GetValue(parallel), output, ct);
            var differing = 0;
            foreach (var (want, got) in expected.Zip(actual))
            {
                if (want.Text == got.Text) continue;
                differing++;
                output.WriteLine($"DIFFERS {RandomScenarios.NameOf(want.Kind)} seed {want.Seed}");
                output.WriteLine($"  expected: {want.Text}");
                output.WriteLine($"  actual:   {got.Text}");
            }
            output.WriteLine($"digests: {expected.Count:N0} seeds checked, {differing} differ");
            return Task.FromResult(differing == 0 ? 0 : 1);
        });
        return cmd;
    }

    /// <summary>Runs the seeds across <paramref name="parallel"/> threads; the lines come back in the order asked.</summary>
    private static List<Digest> Run(List<(ScenarioKind Kind, int Seed)> wanted, int parallel, TextWriter output, CancellationToken ct)
    {
        var lines = new Digest[wanted.Count];
        var watch = Stopwatch.StartNew();
        Parallel.For(0, wanted.Count, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, i =>
        {
            var (kind, seed) = wanted[i];
            lines[i] = Digest.Of(RandomScenarios.Run(kind, seed));
        });
        output.WriteLine($"digests: {wanted.Count:N0} seeds run in {watch.Elapsed.TotalSeconds:F1} s ({wanted.Count / watch.Elapsed.TotalSeconds:F0} seeds/s)");
        return lines.ToList();
    }

    private static List<Digest> Load(string path)
    {
        var digests = new List<Digest>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0) continue;
            var fields = line.Split(' ');
            if (fields.Length != 6 || !RandomScenarios.TryParse(fields[0], out var kind) ||
                !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed))
                throw new FormatException($"{path}:{number}: expected 'scenario seed trace-sha256 events virtual-ticks violations', got '{line}'");
            digests.Add(new Digest(kind, seed, line));
        }
        return digests;
    }

    private sealed record Digest(ScenarioKind Kind, int Seed, string Text)
    {
        public static Digest Of(ScenarioOutcome outcome) => new(outcome.Kind, outcome.Seed, string.Create(CultureInfo.InvariantCulture,
            $"{RandomScenarios.NameOf(outcome.Kind)} {outcome.Seed} {outcome.TraceHash} {outcome.Stats.Events} {outcome.Stats.VirtualTime.Ticks} {outcome.Violations.Count}"));
    }
}
