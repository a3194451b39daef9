using System.CommandLine;
using Totem.Host.Control;
using Totem.Protocol.Config;

namespace Totem.Host.Totemctl;

public sealed partial class TotemctlApp
{
    private Command TimeoutsCommand()
    {
        var config = new Option<string?>("--config") { Description = "A corosync.conf-style file: what it gives, instead of what the node runs" };
        var nodes = new Option<int?>("--nodes")
        {
            Description = "Ring size for --config (default: its nodelist size, else its quorum.expected_votes, as totemd sizes it); " +
                "without --config: corosync's defaults for this many nodes",
        };
        nodes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--nodes must be at least 1");
        });
        var cmd = new Command("timeouts",
            "Effective timeouts, and how long failure detection and fencing take: what the node (--node) runs now, " +
            "or what a config file (--config) or corosync's defaults (--nodes) give")
        { config, nodes };
        cmd.SetAction(async (p, ct) =>
        {
            var path = p.GetValue(config);
            int? count = p.GetValue(nodes);
            // Neither a file nor a size: the question is what this node runs (as corosync-cmapctl runtime.config.totem).
            if (path is null && count is null)
            {
                return await WithClient(p, ct, async c =>
                {
                    var running = await c.GetTimeoutsAsync(ct).ConfigureAwait(false);
                    if (!WriteJson(p, running)) TimeoutsReport.Write(output, running);
                    return ExitCodes.Ok;
                }).ConfigureAwait(false);
            }
            var totem = TotemSettings.Default;
            var fencing = FencingSettings.Default;
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
                await error.WriteLineAsync($"totemctl: give --nodes N: {path} has no nodelist and no quorum.expected_votes, so the ring size is unknown").ConfigureAwait(false);
                return ExitCodes.UsageOrConnection;
            }
            var report = TimeoutsReport.Build(path, totem, fencing, count.Value);
            if (!WriteJson(p, report)) TimeoutsReport.Write(output, report);
            return ExitCodes.Ok;
        });
        return cmd;
    }
}
