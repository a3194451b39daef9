using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Totem.Nodes.Simulator;
using Totem.Nodes.Simulator.Whatif;
using Totem.Protocol.Config;
using Totem.Protocol.Whatif;

namespace Totem.Host.Totembench;

/// <summary>
/// `totembench whatif`: a healthy ring with a corosync.conf (or corosync's defaults for --nodes) on a network profile
/// (<see cref="NetworkProfileParser"/>) for --hours of virtual time per seed, on the actor-level simulator. Reports the
/// token rotations and the margin to the token, the spurious token losses, membership changes, quorum losses and
/// fencings per day, the predicted spurious changes a year, and a real crash's failover and a cut-off minority's
/// fencing; with --recommend, the smallest effective token keeping spurious changes under one a year and what it costs
/// (<see cref="TokenSearch"/>, <see cref="TokenRecommendation"/>); --json for all of it, --plot for the search's picture.
/// Fencing as the config says, else the default watchdog fencing, so a node cut off by a stall fences as in production.
/// </summary>
internal static class WhatifCommand
{
    private const double MaxSpuriousPerYear = 1;

    public static Command Command(TextWriter output, TextWriter error)
    {
        var config = new Option<string?>("--config") { Description = "The cluster's corosync.conf (its nodelist gives the ring size)" };
        var nodes = new Option<int?>("--nodes") { Description = "Ring size (with corosync's defaults when there is no --config)" };
        var profile = new Option<string>("--profile") { Description = "The network profile: latency, jitter, jitter burst, loss, stall lines", Required = true };
        var hours = new Option<double>("--hours") { Description = "Virtual hours per seed", DefaultValueFactory = _ => 24 };
        var seeds = new Option<int>("--seeds") { Description = "Seeds run (1, 2, ...)", DefaultValueFactory = _ => 1 };
        var crashSeeds = new Option<int>("--crash-seeds") { Description = "Seeds of the real-crash and cut-minority measurements (0: skip them)", DefaultValueFactory = _ => 3 };
        var recommend = new Option<bool>("--recommend") { Description = "Search effective tokens for the smallest that keeps spurious membership changes under one a year" };
        var tokens = new Option<string?>("--tokens") { Description = "Effective tokens tried by --recommend, in ms, comma-separated (default 500,1000,1500,2000,3000,5000,10000,20000)" };
        var searchHours = new Option<double?>("--search-hours") { Description = "Virtual hours per seed for each token tried (default: --hours)" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of tables" };
        var plot = new Option<string?>("--plot") { Description = "Write the token search as a PNG or SVG (implies --recommend)" };
        nodes.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 2) r.AddError("--nodes must be at least 2"); });
        hours.Validators.Add(r => { if (r.GetValueOrDefault<double>() <= 0) r.AddError("--hours must be above 0"); });
        searchHours.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is <= 0) r.AddError("--search-hours must be above 0"); });
        seeds.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError("--seeds must be at least 1"); });
        crashSeeds.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--crash-seeds must be 0 or more"); });
        tokens.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } t && ParseTokens(t, out var why) is null) r.AddError($"--tokens: {why}"); });
        plot.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } f && !WhatifPlot.IsSupported(f)) r.AddError($"--plot: '{f}' must end in .png or .svg"); });
        var cmd = new Command("whatif", "Run a healthy ring on a network profile in the simulator: token rotations, spurious membership changes and fencings, failover; --recommend a token")
        {
            config, nodes, profile, hours, seeds, crashSeeds, recommend, tokens, searchHours, json, plot,
        };
        cmd.SetAction((p, ct) => Task.FromResult(Run(output, error, new Request(
            p.GetValue(config), p.GetValue(nodes), p.GetValue(profile)!, p.GetValue(hours), p.GetValue(seeds), p.GetValue(crashSeeds),
            p.GetValue(recommend) || p.GetValue(plot) is not null, ParseTokens(p.GetValue(tokens), out _) ?? TokenSearch.DefaultCandidates,
            p.GetValue(searchHours) ?? p.GetValue(hours), p.GetValue(json), p.GetValue(plot)), ct)));
        return cmd;
    }

    private sealed record Request(string? ConfigPath, int? Nodes, string ProfilePath, double Hours, int Seeds, int CrashSeeds,
        bool Recommend, IReadOnlyList<uint> Tokens, double SearchHours, bool Json, string? PlotPath);

    /// <summary>"500,1000,2000" (ms); null with the reason when a value is not a whole number of ms from 100 to 600000.</summary>
    internal static IReadOnlyList<uint>? ParseTokens(string? text, out string problem)
    {
        problem = "";
        if (text is null) return null;
        var values = new List<uint>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!uint.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v is < 100 or > 600_000)
            {
                problem = $"'{part}' is not a token in ms from 100 to 600000";
                return null;
            }
            values.Add(v);
        }
        return values.Distinct().Order().ToList();
    }

    private static int Run(TextWriter output, TextWriter error, Request request, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        var totem = TotemSettings.Default;
        var quorum = QuorumSettings.Default;
        var fencing = FencingSettings.Default;
        var nodes = request.Nodes;
        if (request.ConfigPath is { } configPath)
        {
            if (!ProfileFile.TryRead(configPath, out var text, out var why))
            {
                error.WriteLine($"totembench: {configPath}: {why}");
                return 2;
            }
            var loaded = ClusterConfigParser.Parse(text, configPath, Environment.GetEnvironmentVariable);
            foreach (var d in loaded.Diagnostics) error.WriteLine(d.ToString());
            if (!loaded.IsValid || loaded.Config is null)
            {
                error.WriteLine($"totembench: {configPath}: configuration refused");
                return 2;
            }
            (totem, quorum, fencing) = (loaded.Config.Totem, loaded.Config.Quorum, loaded.Config.Fencing);
            nodes ??= loaded.Config.ConfiguredRingSize;
        }
        if (nodes is null)
        {
            error.WriteLine("totembench: give --nodes N, or a --config with a nodelist");
            return 2;
        }
        if (ProfileFile.Load(request.ProfilePath, out var unreadable) is not { } parsed)
        {
            error.WriteLine($"totembench: {request.ProfilePath}: {unreadable}");
            return 2;
        }
        foreach (var d in parsed.Diagnostics) error.WriteLine($"totembench: {d}");
        if (!parsed.IsValid)
        {
            error.WriteLine($"totembench: {request.ProfilePath}: {parsed.Diagnostics.Count} problem(s); nothing was run");
            return 2;
        }
        var profile = parsed.Profile;

        var options = new SimulationOptions(nodes.Value) { Totem = totem, Quorum = quorum, Fencing = fencing };
        var t = options.Timeouts;
        var table = request.Json ? TextWriter.Null : output;
        table.WriteLine(string.Create(inv, $"{nodes} nodes, effective token {t.Token} ms, consensus {t.Consensus} ms, hold {t.Hold} ms, fencing {fencing.Mode.ToString().ToLowerInvariant()}; profile {request.ProfilePath}; {request.Hours:0.##} virtual h x {request.Seeds} seed(s)"));
        table.WriteLine(string.Create(inv, $"{"seed",4} {"virtual h",9} {"stalls",6} {"bursts",6} {"losses",6} {"changes",7} {"quorum",6} {"fencings",8} {"rot p50",8} {"rot p99",8} {"rot max",8} {"wall s",7} {"virt/wall",9}"));
        var outcomes = new List<WhatifOutcome>();
        var total = Stopwatch.StartNew();
        for (var seed = 1; seed <= request.Seeds; seed++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var o = WhatifRun.Run(options, profile, TimeSpan.FromHours(request.Hours), seed);
            var wall = clock.Elapsed.TotalSeconds;
            outcomes.Add(o);
            table.WriteLine(string.Create(inv,
                $"{seed,4} {o.Virtual.TotalHours,9:0.##} {o.Stalls,6} {o.Bursts,6} {o.TokenLosses,6} {o.MembershipChanges,7} {o.QuorumLosses,6} {o.Fencings,8} {o.Gaps.Quantile(0.5),8:0.0} {o.Gaps.Quantile(0.99),8:0.0} {o.Gaps.MaxMs,8:0.0} {wall,7:0.0} {o.Virtual.TotalSeconds / wall,9:0}"));
        }
        var simulatedWall = total.Elapsed.TotalSeconds;
        var crashes = new List<FailoverSample>();
        var cuts = new List<FencingSample>();
        for (var seed = 1; seed <= request.CrashSeeds; seed++)
        {
            ct.ThrowIfCancellationRequested();
            crashes.Add(FailoverTiming.Measure(options, seed, profile));
            if (nodes >= 3) cuts.Add(FailoverTiming.MeasureMinorityFencing(options, seed, profile));
        }
        var report = WhatifReport.From(t, profile, outcomes, crashes, cuts);
        PrintReport(table, report, simulatedWall, crashes.Count, cuts.FirstOrDefault()?.Minority ?? 0);

        IReadOnlyList<TokenSearch.Trial> trials = [];
        TokenTrial? chosen = null;
        if (request.Recommend)
        {
            table.WriteLine();
            table.WriteLine(string.Create(inv, $"Token search: each effective token as 'token: T' with 'token_coefficient: 0', {request.SearchHours:0.##} virtual h x {request.Seeds} seed(s) each"));
            table.WriteLine(string.Create(inv, $"{"token ms",8} {"consensus",9} {"hold",6} {"losses/d",8} {"changes/d",9} {"rot max",8} {"spurious/yr",12} {"failover ms",11} {"wall s",7}"));
            var list = new List<TokenSearch.Trial>();
            foreach (var token in request.Tokens)
            {
                ct.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                var trial = TokenSearch.Try(options, profile, token, TimeSpan.FromHours(request.SearchHours), request.Seeds);
                list.Add(trial);
                var days = trial.Outcomes.Sum(o => o.Virtual.TotalDays);
                table.WriteLine(string.Create(inv,
                    $"{trial.Result.TokenMs,8} {trial.Result.ConsensusMs,9} {trial.Timeouts.Hold,6} {trial.Outcomes.Sum(o => o.TokenLosses) / days,8:0.##} {trial.Outcomes.Sum(o => o.MembershipChanges) / days,9:0.##} {trial.Outcomes.Max(o => o.Gaps.MaxMs),8:0.0} {Rate(trial.Result.SpuriousPerYear),12} {trial.Result.FailoverMs,11:0} {clock.Elapsed.TotalSeconds,7:0.0}"));
            }
            trials = list;
            chosen = TokenRecommendation.Recommend(list.Select(x => x.Result).ToList(), MaxSpuriousPerYear);
            PrintRecommendation(table, chosen, report, t);
            if (request.PlotPath is { } plotPath)
            {
                WhatifPlot.Write(plotPath, list.Select(x => x.Result).ToList(), chosen, $"{nodes} nodes on {Path.GetFileName(request.ProfilePath)}");
                table.WriteLine($"Plot written to {plotPath}");
            }
        }
        if (request.Json)
        {
            var document = new
            {
                report,
                search = trials.Select(x => new
                {
                    tokenMs = x.Result.TokenMs,
                    consensusMs = x.Result.ConsensusMs,
                    holdMs = x.Timeouts.Hold,
                    spuriousPerYear = x.Result.SpuriousPerYear,
                    failoverMs = x.Result.FailoverMs,
                    tokenLossesPerDay = x.Outcomes.Sum(o => o.TokenLosses) / x.Outcomes.Sum(o => o.Virtual.TotalDays),
                    membershipChangesPerDay = x.Outcomes.Sum(o => o.MembershipChanges) / x.Outcomes.Sum(o => o.Virtual.TotalDays),
                    rotationMaxMs = x.Outcomes.Max(o => o.Gaps.MaxMs),
                }),
                recommendation = chosen is null ? null : new { tokenMs = chosen.TokenMs, consensusMs = chosen.ConsensusMs, chosen.SpuriousPerYear, failoverMs = chosen.FailoverMs, config = ConfigLines(chosen, t) },
                plot = request.PlotPath,
            };
            output.WriteLine(JsonSerializer.Serialize(document, JsonOptions));
        }
        return 0;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static string Rate(double perYear) => double.IsPositiveInfinity(perYear) ? "unknown" : perYear == 0 ? "0" : perYear.ToString(perYear < 0.01 ? "0.0e+0" : "0.##", CultureInfo.InvariantCulture);

    private static void PrintReport(TextWriter w, WhatifReport r, double wallSeconds, int crashSeeds, int minority)
    {
        var inv = CultureInfo.InvariantCulture;
        w.WriteLine(string.Create(inv,
            $"Token rotation (gaps between token receipts at each node): p50 {r.RotationP50Ms:0.0} ms, p99 {r.RotationP99Ms:0.0} ms, max {r.RotationMaxMs:0.0} ms over {r.Rotations} rotations; margin to the effective token {r.TokenMs} ms: {r.MarginMs:0.0} ms"));
        w.WriteLine(string.Create(inv,
            $"Per day (no node failed): {r.TokenLossesPerDay:0.##} token losses, {r.MembershipChangesPerDay:0.##} membership changes, {r.QuorumLossesPerDay:0.##} quorum losses (nodes), {r.FencingsPerDay:0.##} fencings ({r.VirtualHours:0.##} virtual h in {wallSeconds:0.0} s wall)"));
        w.WriteLine(string.Create(inv,
            $"Predicted spurious membership changes: {Rate(r.PredictedSpuriousPerYear)} a year (the changes seen, or the rotation tail extrapolated to the token, whichever is more)"));
        if (r.CrashNewMembershipMinMs is { } low && r.CrashNewMembershipMaxMs is { } high)
            w.WriteLine(string.Create(inv,
                $"A real crash ({crashSeeds} seed(s)): new membership {low:0} - {high:0} ms after the fault (token + consensus predicts {r.PredictedNewMembershipLowMs} - {r.PredictedNewMembershipHighMs} ms)"));
        if (r.MinorityMajorityMembershipMs is { } moved)
            w.WriteLine(string.Create(inv,
                $"A minority of {minority} cut off: the majority's new membership after {moved:0} ms, the minority {(r.MinorityFencedMs is { } fenced ? $"fenced after {fenced:0} ms" : "not fenced (fencing off)")}"));
    }

    private static void PrintRecommendation(TextWriter w, TokenTrial? chosen, WhatifReport now, TotemTimeouts current)
    {
        var inv = CultureInfo.InvariantCulture;
        if (chosen is null)
        {
            w.WriteLine(string.Create(inv, $"No token tried keeps spurious membership changes under {MaxSpuriousPerYear:0} a year on this profile: try larger --tokens."));
            return;
        }
        w.WriteLine(string.Create(inv,
            $"Recommended: effective token {chosen.TokenMs} ms, consensus {chosen.ConsensusMs} ms: {Rate(chosen.SpuriousPerYear)} spurious changes a year predicted; a failure then takes up to {chosen.FailoverMs:0} ms to a new membership (now {now.PredictedNewMembershipHighMs} ms with token {current.Token} ms)."));
        w.WriteLine($"  corosync.conf: {ConfigLines(chosen, current)}");
    }

    /// <summary>The totem lines giving the chosen effective token: keep token_coefficient when the token it leaves is corosync's minimum or more.</summary>
    private static string ConfigLines(TokenTrial chosen, TotemTimeouts current)
    {
        var grown = (long)Math.Max(0, current.NodeCount - 2) * current.TokenCoefficient;
        var consensus = $"consensus: {chosen.ConsensusMs}";
        return chosen.TokenMs - grown >= TotemTimeouts.MinimumTimeout && current.NodeCount > 2
            ? string.Create(CultureInfo.InvariantCulture, $"totem {{ token: {chosen.TokenMs - grown}  {consensus} }} (token_coefficient {current.TokenCoefficient} x {current.NodeCount - 2} adds {grown})")
            : string.Create(CultureInfo.InvariantCulture, $"totem {{ token: {chosen.TokenMs}  token_coefficient: 0  {consensus} }}");
    }
}
