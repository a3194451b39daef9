using System.CommandLine;
using System.Globalization;
using Totem.Nodes.Simulator;
using Totem.Protocol.Config;

namespace Totem.Host.Totembench;

/// <summary>
/// `totembench timing`: crash one node of an idle ring at a random moment (perfect zero-delay network) over
/// many seeds and print crash -> the survivors' new membership against corosync's bounds
/// [effective token - hold + consensus, effective token + consensus + 200 ms].
/// </summary>
internal static class TimingBenchmark
{
    /// <summary>The configurations of the timing-fidelity table: (nodes, token, consensus); null means derived.</summary>
    public static IReadOnlyList<(int Nodes, uint? Token, uint? Consensus)> Cases { get; } =
    [
        (5, null, null),
        (2, 1000, 600), (2, 1000, 1200), (2, 1000, 2400), (2, 1000, 4800), (2, 1000, 9600),
        (2, 1000, 2400), (2, 4000, 2400), (2, 10000, 2400),
    ];

    public static Command Command(TextWriter output)
    {
        var seeds = new Option<int>("--seeds") { Description = "Crashes measured per configuration", DefaultValueFactory = _ => 200 };
        seeds.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError("--seeds must be at least 1"); });
        var cmd = new Command("timing", "Crash -> new membership on an idle simulated ring, against corosync's bounds") { seeds };
        cmd.SetAction((p, ct) =>
        {
            Run(output, p.GetValue(seeds), ct);
            return Task.FromResult(0);
        });
        return cmd;
    }

    private static void Run(TextWriter output, int seeds, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"crash -> survivors' new membership, {seeds} seeds each, simulator with zero network delay, idle ring (ms)");
        output.WriteLine(string.Format(inv, "{0,-5} {1,6} {2,6} {3,9} {4,5} {5,13} {6,-8} {7,6} {8,7} {9,6} {10,6} {11,9}",
            "nodes", "token", "eff", "consensus", "hold", "bounds", "survivor", "min", "median", "p95", "max", "in bounds"));
        foreach (var (nodes, token, consensus) in Cases.Distinct())
        {
            ct.ThrowIfCancellationRequested();
            var settings = new TotemSettings { Token = token, Consensus = consensus };
            var timeouts = TotemTimeouts.Derive(settings, nodes);
            var refused = TotemTimeoutRules.Check(timeouts, settings);
            var tokenText = token?.ToString(inv) ?? "3000";
            if (refused.Count > 0)
            {
                output.WriteLine($"{nodes,-5} {tokenText,6} {timeouts.Token,6} {timeouts.Consensus,9} refused: {string.Join("; ", refused.Select(r => $"{r.Key}: {r.Message}"))}");
                continue;
            }
            var (lower, upper) = FailoverTiming.Bounds(timeouts);
            var samples = Enumerable.Range(1, seeds).Select(seed => FailoverTiming.Measure(settings, nodes, seed)).ToList();
            foreach (var (label, values) in new[] { ("first", samples.Select(s => s.FirstSurvivor.TotalMilliseconds)), ("last", samples.Select(s => s.LastSurvivor.TotalMilliseconds)) })
            {
                var sorted = values.Order().ToList();
                var inBounds = sorted.Count(v => v >= lower.TotalMilliseconds && v <= upper.TotalMilliseconds);
                output.WriteLine(string.Format(inv, "{0,-5} {1,6} {2,6} {3,9} {4,5} {5,13} {6,-8} {7,6:F0} {8,7:F0} {9,6:F0} {10,6:F0} {11,9}",
                    nodes, tokenText, timeouts.Token, timeouts.Consensus, timeouts.Hold,
                    $"{lower.TotalMilliseconds:F0}-{upper.TotalMilliseconds:F0}", label,
                    sorted[0], sorted[sorted.Count / 2], sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.95))], sorted[^1],
                    $"{inBounds}/{sorted.Count}"));
            }
        }
    }
}
