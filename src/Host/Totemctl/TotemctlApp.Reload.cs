using System.CommandLine;
using Totem.Host.Control.Api;

namespace Totem.Host.Totemctl;

public sealed partial class TotemctlApp
{
    /// <summary>`corosync-cfgtool -R`: every member of the ring re-reads its config file; prints each member's answer.</summary>
    private Command ReloadCommand()
    {
        var cmd = new Command("reload", "Make every node of the ring re-read its config file; timing changes take effect at once (like corosync-cfgtool -R)");
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var r = await c.ReloadAsync(ct).ConfigureAwait(false);
            if (!WriteJson(p, r)) WriteReload(output, r);
            return r.AllTook ? ExitCodes.Ok : ExitCodes.ReloadNotTaken;
        }));
        return cmd;
    }

    internal static void WriteReload(TextWriter w, ReloadDto r)
    {
        w.WriteLine($"Config reload requested by node {r.Requester} (request {r.RequestId}): {r.Nodes.Count} of {r.Members.Count} members answered");
        foreach (var n in r.Nodes)
        {
            var lines = n.Detail.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var what = n.Outcome switch
            {
                "applied" => lines.Length == 0 ? "" : ": " + lines[0],
                "unchanged" => ": the file says what the node runs",
                _ => "",
            };
            w.WriteLine($"  node {n.NodeId}: {n.Outcome}, config_version {n.ConfigVersion}{what}");
            if (n.Outcome is "refused" or "invalid")
                foreach (var line in lines) w.WriteLine($"    {line}");
        }
        foreach (var m in r.Missing) w.WriteLine($"  node {m}: no answer (left the ring, or slower than the wait)");
        if (!r.AllTook) w.WriteLine("The reload did not take on every node: a node that refused or failed runs what it ran before.");
    }
}
