using System.CommandLine;
using System.Net;
using Totem.Host.Control;
using Totem.Host.Totemd.Discovery;
using Totem.Host.Totemd.Logging;

namespace Totem.Host.Totemd;

/// <summary>totemd's command line: `totemd --config FILE [--akka-config FILE] [--nodeid N] [--bind ADDRESS] [--control ADDRESS:PORT] [--state-dir DIR] [--client-socket PATH|off] [--observer] [--observer-port N] [--check]`.</summary>
public static class TotemdCommand
{
    public static RootCommand Build(Func<TotemdOptions, CancellationToken, Task<int>> run)
    {
        var config = new Option<string>("--config", "-c") { Description = "The corosync.conf-style configuration file", Required = true };
        var nodeId = new Option<uint?>("--nodeid") { Description = "This node's id (picks its nodelist entry; needed when several nodes share a machine)" };
        var bind = new Option<string?>("--bind") { Description = "The ring address to bind (an IP address of this machine)" };
        var control = new Option<string?>("--control") { Description = "Where the control API listens, ADDRESS:PORT (default control.bind, else 127.0.0.1:7405)" };
        var stateDir = new Option<string?>("--state-dir") { Description = "Directory for the ring sequence and the replicated store kept across restarts (default $TOTEM_STATE_DIR; unset: not kept)" };
        var akkaConfig = new Option<string?>("--akka-config") { Description = "HOCON file with totemd's own settings (and Akka's) over its embedded reference.conf, e.g. hocon/totemd.conf" };
        var clientSocket = new Option<string?>("--client-socket") { Description = "Path of the local client socket (Unix domain, mode 0660), or off (default totemd.client.socket)" };
        clientSocket.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } s && string.IsNullOrWhiteSpace(s)) r.AddError("--client-socket needs a path, or off");
        });
        var observer = new Option<bool>("--observer") { Description = "Serve the observer plane (Akka.Remote, UNAUTHENTICATED) on the control address for totem-dashboard (default totemd.observer.enabled)" };
        var observerPort = new Option<int?>("--observer-port") { Description = "The observer plane's TCP port (default totemd.observer.port, 7406)" };
        observerPort.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is { } port && port is < 1 or > 65535) r.AddError($"--observer-port must be from 1 to 65535, but {port} was given");
        });
        var check = new Option<bool>("--check") { Description = "Validate the config and this node's identity, print them, and exit" };
        nodeId.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<uint?>() == 0) r.AddError("--nodeid must be at least 1 (corosync reserves 0)");
        });
        bind.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } b && !IPAddress.TryParse(b, out _)) r.AddError($"--bind '{b}' is not an IP address");
        });
        control.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } c && ControlEndpoint.Parse(c, out var problem) is null) r.AddError($"--control: {problem}");
        });

        var root = new RootCommand("totemd: one node of a Totem ring (corosync's totemsrp + votequorum + self-fencing)")
        {
            config, akkaConfig, nodeId, bind, control, stateDir, clientSocket, observer, observerPort, check,
        };
        root.SetAction((p, ct) => run(new TotemdOptions(
            p.GetValue(config)!,
            p.GetValue(nodeId),
            p.GetValue(bind) is { } b ? IPAddress.Parse(b) : null,
            p.GetValue(control) is { } c ? ControlEndpoint.Parse(c, out _) : null,
            p.GetValue(check))
        {
            StateDir = p.GetValue(stateDir) ?? NonEmpty(Environment.GetEnvironmentVariable("TOTEM_STATE_DIR")),
            AkkaConfigPath = p.GetValue(akkaConfig),
            ClientSocket = p.GetValue(clientSocket),
            Observer = p.GetValue(observer),
            ObserverPort = p.GetValue(observerPort),
        }, ct));
        return root;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>The process entry: parse, wire SIGTERM/SIGINT to a clean leave, run.</summary>
    public static async Task<int> RunAsync(string[] args, INodeLauncher? launcher)
    {
        var phases = StartupPhases.ForCurrentProcess();
        phases.Mark(StartupPhases.HostStarted);
        using var signals = new ShutdownSignals();

        var root = Build((options, ct) => new TotemdDaemon(options, launcher, new SystemDnsResolver(), Console.Out, Console.Error) { Phases = phases }.RunAsync(ct));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) await Console.Error.WriteLineAsync($"totemd: {e.Message}").ConfigureAwait(false);
            return TotemdExitCodes.BadConfig;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token).ConfigureAwait(false);
    }
}
