using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Totem.Host.Control;
using Totem.Host.Totemctl.Explain;
using Totem.Protocol.Config;

namespace Totem.Host.Totemctl;

public sealed partial class TotemctlApp
{
    private static readonly string[] FaultTimeFormats =
        ["HH:mm:ss", "HH:mm:ss.FFFFFF", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFF", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFF"];

    /// <summary>corosync 2's totemconfig.c TOKEN_TIMEOUT.</summary>
    public const uint Corosync2DefaultTokenMs = 1000;

    private Command ExplainCommand()
    {
        var log = new Argument<string>("logfile") { Description = "A corosync log: corosync.log, or journalctl -u corosync's output (corosync 2 or 3)" };
        var config = new Option<string?>("--config") { Description = "The corosync.conf the node ran (default: corosync's defaults)" };
        var nodes = new Option<int?>("--nodes") { Description = "Ring size (default: the config's nodelist, else the largest membership in the log)" };
        nodes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--nodes must be at least 1");
        });
        var faultAt = new Option<string?>("--fault-at")
        {
            Description = "When the fault happened (HH:mm:ss[.fff] on the log's day, or yyyy-MM-dd HH:mm:ss[.fff]): the next failure is timed from it instead of from the last token seen",
        };
        var year = new Option<int?>("--year") { Description = "Year of the log's syslog-style times, which have none (default: this year)" };
        var cmd = new Command("explain",
            "Tell the story of each membership change in a corosync log and compare its intervals with what the timeouts predict")
        { log, config, nodes, faultAt, year };
        cmd.SetAction(async (p, ct) =>
        {
            var path = p.GetValue(log)!;
            if (!ConfigFile.TryReadText(path, out var text, out var reason))
            {
                await error.WriteLineAsync($"totemctl: {path}: {reason}").ConfigureAwait(false);
                return ExitCodes.UsageOrConnection;
            }
            var parsed = CorosyncLogParser.Parse(text.Split('\n'), path, p.GetValue(year) ?? DateTime.UtcNow.Year);
            var stories = MembershipStories.Build(parsed.Lines);

            // corosync 2's default token was 1000 ms (3's is 3000): a corosync 2 log without its config is compared with 2's.
            var corosync2 = stories.CorosyncMajor == 2;
            var totem = corosync2 ? TotemSettings.Default with { Token = Corosync2DefaultTokenMs } : TotemSettings.Default;
            var configPath = p.GetValue(config);
            int? count = p.GetValue(nodes);
            if (configPath is not null)
            {
                var loaded = ConfigFile.Load(configPath, environment);
                foreach (var d in loaded.Diagnostics) await error.WriteLineAsync(d.ToString()).ConfigureAwait(false);
                if (!loaded.IsValid || loaded.Config is null)
                {
                    await error.WriteLineAsync($"totemctl: {configPath}: configuration refused").ConfigureAwait(false);
                    return ExitCodes.UsageOrConnection;
                }
                totem = loaded.Config.Totem;
                count ??= loaded.Config.ConfiguredRingSize;
            }
            var sizeFrom = count is not null ? "" : " (ring size: the largest membership in the log)";
            count ??= Math.Max(1, stories.LargestMembership);
            var timing = (configPath ?? (corosync2 ? $"corosync 2's defaults (token {Corosync2DefaultTokenMs} ms)" : "corosync's defaults")) + sizeFrom;

            DateTime? fault = null;
            if (p.GetValue(faultAt) is { } f)
            {
                if (!DateTime.TryParseExact(f, FaultTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
                {
                    await error.WriteLineAsync($"totemctl: --fault-at '{f}' is not a time (HH:mm:ss[.fff] or yyyy-MM-dd HH:mm:ss[.fff])").ConfigureAwait(false);
                    return ExitCodes.UsageOrConnection;
                }
                // A bare time of day is on the day of the log's first timed line.
                fault = f.Contains('-', StringComparison.Ordinal) || parsed.Lines.FirstOrDefault(l => l.Time is not null)?.Time is not { } day
                    ? at
                    : day.Date + at.TimeOfDay;
            }

            var report = LogExplainer.Explain(path, parsed, stories, TotemTimeouts.Derive(totem, count.Value), timing, fault);
            if (!p.GetValue(_json))
            {
                ExplainView.Write(output, report);
                return ExitCodes.Ok;
            }
            await output.WriteLineAsync(JsonSerializer.Serialize(report, ExplainJsonContext.Default.ExplainReport)).ConfigureAwait(false);
            // The JSON has them too; a script's reader sees them on stderr without parsing.
            foreach (var d in parsed.Diagnostics) await error.WriteLineAsync($"totemctl: skipped {d}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
