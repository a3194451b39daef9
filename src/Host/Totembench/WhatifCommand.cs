using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Totem.Nodes.Simulator;
using Totem.Nodes.Simulator.Whatif;
using Totem.Protocol.Config;
using Totem.Protocol.Whatif;

namespace Totem.Host.Totembench;

/// <summary>
/// `totembench whatif`: a healthy ring with a corosync.conf (or corosync's defaults for --nodes) on a network profile
/// (<see cref="NetworkProfileParser"/>) for --hours of virtual time per seed, on the actor-level simulator; prints the
/// spurious membership changes and fencings per day and how fast virtual time ran. Fencing as the config says, else
/// the default watchdog fencing, so a node cut off by a stall fences as it would in production.
/// </summary>
internal static class WhatifCommand
{
    public static Command Command(TextWriter output, TextWriter error)
    {
        var config = new Option<string?>("--config") { Description = "The cluster's corosync.conf (its nodelist gives the ring size)" };
        var nodes = new Option<int?>("--nodes") { Description = "Ring size (with corosync's defaults when there is no --config)" };
        var profile = new Option<string>("--profile") { Description = "The network profile: latency, jitter, loss, stall lines", Required = true };
        var hours = new Option<double>("--hours") { Description = "Virtual hours per seed", DefaultValueFactory = _ => 24 };
        var seeds = new Option<int>("--seeds") { Description = "Seeds run (1, 2, ...)", DefaultValueFactory = _ => 1 };
        nodes.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 2) r.AddError("--nodes must be at least 2"); });
        hours.Validators.Add(r => { if (r.GetValueOrDefault<double>() <= 0) r.AddError("--hours must be above 0"); });
        seeds.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError("--seeds must be at least 1"); });
        var cmd = new Command("whatif", "Run a healthy ring on a network profile in the simulator: spurious membership changes and fencings per day") { config, nodes, profile, hours, seeds };
        cmd.SetAction((p, ct) => Task.FromResult(Run(output, error, p.GetValue(config), p.GetValue(nodes), p.GetValue(profile)!, p.GetValue(hours), p.GetValue(seeds), ct)));
        return cmd;
    }

    private static int Run(TextWriter output, TextWriter error, string? configPath, int? nodes, string profilePath, double hours, int seeds, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        var totem = TotemSettings.Default;
        var quorum = QuorumSettings.Default;
        var fencing = FencingSettings.Default;
        if (configPath is not null)
        {
            if (!TryRead(configPath, out var text, out var why))
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
        if (!TryRead(profilePath, out var profileText, out var unreadable))
        {
            error.WriteLine($"totembench: {profilePath}: {unreadable}");
            return 2;
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(profilePath))!;
        var parsed = NetworkProfileParser.Parse(profileText, profilePath,
            (string path, out string text, out string problem) => TryRead(Path.Combine(directory, path), out text, out problem));
        foreach (var d in parsed.Diagnostics) error.WriteLine($"totembench: {d}");
        if (!parsed.IsValid)
        {
            error.WriteLine($"totembench: {profilePath}: {parsed.Diagnostics.Count} problem(s); nothing was run");
            return 2;
        }

        var options = new SimulationOptions(nodes.Value) { Totem = totem, Quorum = quorum, Fencing = fencing };
        var t = options.Timeouts;
        output.WriteLine(string.Create(inv, $"{nodes} nodes, token {t.Token} ms, consensus {t.Consensus} ms, fencing {fencing.Mode.ToString().ToLowerInvariant()}; profile {profilePath}; {hours:0.##} virtual h x {seeds} seed(s)"));
        output.WriteLine(string.Create(inv, $"{"seed",4} {"virtual h",9} {"stalls",6} {"changes",7} {"fencings",8} {"pauses",6} {"wall s",7} {"virt/wall",9}"));
        var all = new List<WhatifOutcome>();
        var total = Stopwatch.StartNew();
        for (var seed = 1; seed <= seeds; seed++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var o = WhatifRun.Run(options, parsed.Profile, TimeSpan.FromHours(hours), seed);
            var wall = clock.Elapsed.TotalSeconds;
            all.Add(o);
            output.WriteLine(string.Create(inv, $"{seed,4} {o.Virtual.TotalHours,9:0.##} {o.Stalls,6} {o.MembershipChanges,7} {o.Fencings,8} {o.PausesDetected,6} {wall,7:0.0} {o.Virtual.TotalSeconds / wall,9:0}"));
        }
        var days = all.Sum(o => o.Virtual.TotalDays);
        output.WriteLine(string.Create(inv,
            $"Per day: {all.Sum(o => o.MembershipChanges) / days:0.##} spurious membership changes, {all.Sum(o => o.Fencings) / days:0.##} fencings ({days * 24:0.##} virtual h in {total.Elapsed.TotalSeconds:0.0} s wall)"));
        return 0;
    }

    private static bool TryRead(string path, out string text, out string problem)
    {
        text = "";
        problem = "";
        try
        {
            text = File.ReadAllText(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message;
            return false;
        }
    }
}
