using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Totem.Host.Control;
using Totem.Host.Ringbench.LocalRing;
using Totem.Nodes.Simulator;
using Totem.Nodes.Simulator.Whatif;
using Totem.Protocol.Whatif;

namespace Totem.Host.Ringbench.Whatif;

/// <summary>
/// `ringbench whatif-validate --profile F [--minutes M] [--nodes N] [--token MS] [--token-coefficient MS] [--seeds S] [--seed K]`
/// (issue 15 point 3): the what-if advisor's token-loss rate against a real ring's on the same faults. A ring of real
/// totemd processes runs M minutes with the profile's faults injected in-node (<see cref="ProfileFaults"/>, stalls drawn
/// for seed K as the simulator draws them), then the advisor (<see cref="WhatifRun"/>, the actor-level simulator) runs
/// the same config and profile for M virtual minutes on seeds 1..S; both rates are printed with their ratio and the
/// verdict (within the factor or not). Timing is printed, never asserted.
/// </summary>
public static class WhatifValidateCommand
{
    public static Command Command(Option<int> nodes, Option<uint> token, Option<uint> coefficient)
    {
        var profile = new Option<string>("--profile") { Description = "The network profile (latency, jitter uniform, loss, stall lines: what a node can inject)", Required = true };
        var minutes = new Option<double>("--minutes") { Description = "Minutes of the real ring's run, and virtual minutes of each advisor seed", DefaultValueFactory = _ => 5 };
        var seeds = new Option<int>("--seeds") { Description = "Advisor seeds (1..S), each --minutes of virtual time", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed of the real ring's stall schedule (the advisor's seed K draws the same schedule)", DefaultValueFactory = _ => 1 };
        var factor = new Option<double>("--factor") { Description = "Agreement required: each rate within this factor of the other", DefaultValueFactory = _ => 2 };
        minutes.Validators.Add(r => { if (r.GetValueOrDefault<double>() is <= 0 or > 60) r.AddError("--minutes must be above 0 and at most 60"); });
        seeds.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--seeds must be at least 1"); });
        factor.Validators.Add(r => { if (!(r.GetValueOrDefault<double>() > 1)) r.AddError("--factor must be above 1"); });
        var cmd = new Command("whatif-validate", "The what-if advisor's predicted token losses and membership changes against a real ring of totemd processes with the same faults injected in-node")
        {
            profile, minutes, nodes, token, coefficient, seeds, seed, factor,
        };
        cmd.SetAction((p, ct) => RunAsync(new RingSpec(p.GetValue(nodes), p.GetValue(token), p.GetValue(coefficient)), p.GetValue(profile)!,
            TimeSpan.FromMinutes(p.GetValue(minutes)), p.GetValue(seeds), p.GetValue(seed), p.GetValue(factor), Console.Out, Console.Error, ct));
        return cmd;
    }

    public static async Task<int> RunAsync(RingSpec spec, string profilePath, TimeSpan duration, int seeds, int seed, double factor,
        TextWriter output, TextWriter error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var inv = CultureInfo.InvariantCulture;
        if (ProfileFile.Load(profilePath, out var unreadable) is not { } parsed)
        {
            await error.WriteLineAsync($"ringbench: {profilePath}: {unreadable}").ConfigureAwait(false);
            return 2;
        }
        foreach (var d in parsed.Diagnostics) await error.WriteLineAsync($"ringbench: {d}").ConfigureAwait(false);
        if (!parsed.IsValid) return 2;
        if (ProfileFaults.From(parsed.Profile, spec.Nodes, out var problems) is not { } faults)
        {
            foreach (var why in problems) await error.WriteLineAsync($"ringbench: {profilePath}: {why}").ConfigureAwait(false);
            return 2;
        }

        await using var ring = LocalRing.LocalRing.Create(spec);
        // The simulator runs the ring's own config file: one config, two runs.
        var loaded = ConfigFile.Load(ring.ConfigPath);
        var config = loaded.Config ?? throw new InvalidOperationException($"{ring.ConfigPath} refused: {string.Join("; ", loaded.Diagnostics)}");
        var options = new SimulationOptions(spec.Nodes) { Totem = config.Totem, Quorum = config.Quorum, Fencing = config.Fencing };
        var t = options.Timeouts;
        await output.WriteLineAsync(string.Create(inv,
            $"whatif-validate: {spec.Nodes} nodes, effective token {t.Token} ms, consensus {t.Consensus} ms, hold {t.Hold} ms, token_retransmit {t.TokenRetransmit} ms, fencing {config.Fencing.Mode.ToString().ToLowerInvariant()}; profile {profilePath}")).ConfigureAwait(false);
        await output.WriteLineAsync($"in-node faults: {faults.Describe()}").ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(inv, $"load average before: {LoadAverage()}")).ConfigureAwait(false);

        RealRingOutcome real;
        var wall = Stopwatch.StartNew();
        try
        {
            real = await RealRingRun.RunAsync(ring, faults, duration, seed, output, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or HttpRequestException or ControlApiException)
        {
            await error.WriteLineAsync($"ringbench whatif-validate: the real ring: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        await output.WriteLineAsync(string.Create(inv,
            $"real ring (schedule seed {seed}): {real.Duration.TotalMinutes:0.##} min, {real.Stalls} stall(s) injected (latest {real.WorstStallLateness.TotalMilliseconds:0} ms behind schedule), {real.Events.TokenLosses} token loss(es) ({real.Events.TokenLossLines} 'A processor failed' lines), {real.Events.MembershipChanges} membership change(s), {real.Exited} node(s) exited; {wall.Elapsed.TotalSeconds:0} s wall; load average {LoadAverage()}")).ConfigureAwait(false);

        await output.WriteLineAsync($"{"seed",4} {"virtual min",11} {"stalls",6} {"losses",6} {"changes",7} {"fencings",8} {"rot p50",8} {"rot max",8} {"wall s",7}").ConfigureAwait(false);
        var outcomes = new List<WhatifOutcome>();
        for (var s = 1; s <= seeds; s++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var o = WhatifRun.Run(options, parsed.Profile, duration, s);
            outcomes.Add(o);
            await output.WriteLineAsync(string.Create(inv,
                $"{s,4} {o.Virtual.TotalMinutes,11:0.##} {o.Stalls,6} {o.TokenLosses,6} {o.MembershipChanges,7} {o.Fencings,8} {o.Gaps.Quantile(0.5),8:0.0} {o.Gaps.MaxMs,8:0.0} {clock.Elapsed.TotalSeconds,7:0.0}")).ConfigureAwait(false);
        }
        var simulated = TimeSpan.FromTicks(outcomes.Sum(o => o.Virtual.Ticks));
        var losses = RateComparison.Of(real.Events.TokenLosses, real.Duration, outcomes.Sum(o => o.TokenLosses), simulated, factor);
        var changes = RateComparison.Of(real.Events.MembershipChanges, real.Duration, outcomes.Sum(o => o.MembershipChanges), simulated, factor);
        await output.WriteLineAsync(Line("token losses", losses)).ConfigureAwait(false);
        await output.WriteLineAsync(Line("membership changes", changes)).ConfigureAwait(false);
        await output.WriteLineAsync($"verdict: token-loss rate {Verdict(losses)}").ConfigureAwait(false);
        return 0;
    }

    private static string Line(string what, RateComparison c) => string.Create(CultureInfo.InvariantCulture,
        $"{what,-18} per hour: real {c.MeasuredPerHour,8:0.0} ({c.MeasuredEvents} in {c.MeasuredTime.TotalMinutes:0.##} min), advisor {c.PredictedPerHour,8:0.0} ({c.PredictedEvents} in {c.PredictedTime.TotalMinutes:0.##} virtual min), advisor/real {Ratio(c.Ratio)}: {Verdict(c)}");

    private static string Ratio(double r) => double.IsNaN(r) ? "-" : double.IsPositiveInfinity(r) ? "inf" : r.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Verdict(RateComparison c) => c.Verdict switch
    {
        RateVerdict.Within => string.Create(CultureInfo.InvariantCulture, $"WITHIN a factor of {c.Factor:0.##}"),
        RateVerdict.Outside => string.Create(CultureInfo.InvariantCulture, $"OUTSIDE a factor of {c.Factor:0.##}"),
        _ => "no events on either side: validates nothing",
    };

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
