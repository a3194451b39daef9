using System.CommandLine;
using Totem.Host.Control;
using Totem.Protocol.Config;

namespace Totem.Host.Totemctl;

public sealed partial class TotemctlApp
{
    private Command TimeoutsCommand()
    {
        var config = new Option<string?>("--config") { Description = "A corosync.conf-style file (default: corosync's defaults)" };
        var nodes = new Option<int?>("--nodes") { Description = "Ring size (default: the config's nodelist size, else its quorum.expected_votes, as totemd sizes it)" };
        nodes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--nodes must be at least 1");
        });
        var cmd = new Command("timeouts", "Effective timeouts for a config and ring size, and how long failure detection and fencing take") { config, nodes };
        cmd.SetAction(async (p, ct) =>
        {
            var totem = TotemSettings.Default;
            var fencing = FencingSettings.Default;
            int? count = p.GetValue(nodes);
            var path = p.GetValue(config);
            if (path is not null)
            {
                var loaded = ConfigFile.Load(path, environment);
                foreach (var d in loaded.Diagnostics) await error.WriteLineAsync(d.ToString()).ConfigureAwait(false);
                if (!loaded.IsValid || loaded.Config is null)
                {
                    await error.WriteLineAsync($"totemctl: {path}: configuration refused").ConfigureAwait(false);
                    return ExitCodes.UsageOrConnection;
                }
                totem = loaded.Config.Totem;
                fencing = loaded.Config.Fencing;
                count ??= loaded.Config.ConfiguredRingSize;
            }
            if (count is null)
            {
                await error.WriteLineAsync($"totemctl: give --nodes N: {(path is null ? "without --config" : path + " has no nodelist and no quorum.expected_votes")} the ring size is unknown").ConfigureAwait(false);
                return ExitCodes.UsageOrConnection;
            }
            var report = TimeoutsReport.Build(path, totem, fencing, count.Value);
            if (!WriteJson(p, report)) TimeoutsReport.Write(output, report);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
