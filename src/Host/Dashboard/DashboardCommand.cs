using System.CommandLine;
using System.Net;
using Totem.Host.Control;
using Totem.Host.Control.Observer;

namespace Totem.Host.Dashboard;

/// <summary>
/// totem-dashboard's command line: `totem-dashboard (--node HOST[:PORT] ... | --dns NAME) [--control-port N]
/// [--observer-port N] [--listen ADDRESS:PORT] [--remote-host NAME]`.
/// </summary>
public static class DashboardCommand
{
    public static RootCommand Build(Func<DashboardOptions, string?, CancellationToken, Task<int>> run)
    {
        var nodes = new Option<string[]>("--node") { Description = "A node's control API, HOST[:PORT] (default port --control-port); repeat for each node", AllowMultipleArgumentsPerToken = true };
        var dns = new Option<string?>("--dns") { Description = "A DNS name that resolves to every node (compose's service name), re-resolved every 2 s" };
        var controlPort = new Option<int>("--control-port") { Description = "The nodes' control API port", DefaultValueFactory = _ => ControlDefaults.Port };
        var observerPort = new Option<int>("--observer-port") { Description = "The nodes' observer plane port (totemd.observer.port)", DefaultValueFactory = _ => ObserverPlane.DefaultPort };
        var listen = new Option<string>("--listen") { Description = "Where the page is served, ADDRESS:PORT", DefaultValueFactory = _ => "127.0.0.1:8405" };
        var remoteHost = new Option<string?>("--remote-host") { Description = "The address or name the nodes reach the dashboard's Akka.Remote at (default: the --listen address, or 127.0.0.1)" };
        foreach (var port in new[] { controlPort, observerPort })
            port.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() is < 1 or > 65535) r.AddError($"{port.Name} must be from 1 to 65535, but {r.GetValueOrDefault<int>()} was given");
            });
        listen.Validators.Add(r =>
        {
            if (!IPEndPoint.TryParse(r.GetValueOrDefault<string>() ?? "", out _)) r.AddError($"--listen: expected ADDRESS:PORT (e.g. 0.0.0.0:8405), but '{r.GetValueOrDefault<string>()}' was given");
        });

        var root = new RootCommand("totem-dashboard: a live web view of a Totem ring over the observer plane (Akka.Remote)")
        {
            nodes, dns, controlPort, observerPort, listen, remoteHost,
        };
        root.Validators.Add(r =>
        {
            var given = r.GetValue(nodes) ?? [];
            if (given.Length == 0 && r.GetValue(dns) is null) r.AddError("give the nodes: --node HOST[:PORT] (repeated) or --dns NAME");
            foreach (var text in given)
                if (NodeTarget.Parse(text, r.GetValue(controlPort), out var problem) is null) r.AddError($"--node: {problem}");
        });
        root.SetAction((p, ct) =>
        {
            var port = p.GetValue(controlPort);
            var targets = (p.GetValue(nodes) ?? []).Select(t => NodeTarget.Parse(t, port, out _)!).Distinct().ToList();
            return run(new DashboardOptions(targets, p.GetValue(dns), port, p.GetValue(observerPort), IPEndPoint.Parse(p.GetValue(listen)!)), p.GetValue(remoteHost), ct);
        });
        return root;
    }
}
