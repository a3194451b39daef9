using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Totem.Host.Control;
using Totem.Host.Control.Api;
using Totem.Host.Totemctl.Views;

namespace Totem.Host.Totemctl;

/// <summary>
/// totemctl: the operator's view of one totemd through its control API. Output goes to the given
/// writers (so tests run the real handlers in-process); --json prints the API's documented DTOs.
/// </summary>
public sealed partial class TotemctlApp(TextWriter output, TextWriter error, Func<Uri, HttpClient> httpFactory, Func<string, string?> environment)
{
    private static readonly JsonSerializerOptions PrettyJson = new(ControlJson.Options) { WriteIndented = true };

    private readonly Option<string?> _node = new("--node")
    {
        Description = $"totemd's control API URL (default ${ControlDefaults.NodeEnvironmentVariable} or {ControlDefaults.LocalNode})",
        Recursive = true,
    };

    private readonly Option<bool> _json = new("--json") { Description = "Print the API's JSON instead of text", Recursive = true };

    public static HttpClient DefaultHttpClient(Uri baseAddress) => new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var root = BuildCommand();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) await error.WriteLineAsync($"totemctl: {e.Message}").ConfigureAwait(false);
            await error.WriteLineAsync("Try 'totemctl --help'.").ConfigureAwait(false);
            return ExitCodes.UsageOrConnection;
        }
        var config = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(config, ct).ConfigureAwait(false);
    }

    public RootCommand BuildCommand()
    {
        var root = new RootCommand("totemctl: inspect and steer a totemd node (a Totem ring member) through its control API");
        root.Add(_node);
        root.Add(_json);
        root.Add(StatusCommand());
        root.Add(QuorumCommand());
        root.Add(MembersCommand());
        root.Add(RuntimeCommand());
        root.Add(RingsCommand());
        root.Add(ExpectedCommand());
        root.Add(SendCommand());
        root.Add(MessagesCommand());
        root.Add(WatchCommand());
        root.Add(FaultCommand());
        root.Add(TimeoutsCommand());
        root.Add(ReloadCommand());
        root.Add(StoreCommand());
        root.Add(KeygenCommand());
        root.Add(ExplainCommand());
        return root;
    }

    private Command StatusCommand()
    {
        var cmd = new Command("status", "Cluster, quorum, votequorum and membership information (like pvecm status)");
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var s = await c.GetStatusAsync(ct).ConfigureAwait(false);
            if (!WriteJson(p, s)) StatusView.WriteStatus(output, s);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private Command QuorumCommand()
    {
        var check = new Option<bool>("--check") { Description = "Exit 1 when the node is not quorate (for health checks)" };
        var cmd = new Command("quorum", "Quorum and votequorum information (like corosync-quorumtool -s)") { check };
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var s = await c.GetStatusAsync(ct).ConfigureAwait(false);
            if (!WriteJson(p, s)) StatusView.WriteQuorum(output, s);
            return p.GetValue(check) && !s.Quorate ? ExitCodes.NotQuorate : ExitCodes.Ok;
        }));
        return cmd;
    }

    private Command MembersCommand()
    {
        var cmd = new Command("members", "Known nodes: votes, membership and link state");
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var s = await c.GetStatusAsync(ct).ConfigureAwait(false);
            if (!WriteJson(p, s)) TableViews.WriteMembers(Console(), s);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private Command RuntimeCommand()
    {
        var prefix = new Argument<string?>("prefix") { Description = "Only keys starting with this (e.g. runtime.config.totem.)", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("runtime", "cmap-style runtime keys (like corosync-cmapctl)") { prefix };
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var r = await c.GetRuntimeAsync(p.GetValue(prefix), ct).ConfigureAwait(false);
            if (!WriteJson(p, r)) TableViews.WriteRuntime(output, r);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private Command RingsCommand()
    {
        var nodes = new Option<bool>("--nodes", "-n") { Description = "Per peer, each knet link's state and latency (like corosync-cfgtool -n)" };
        var cmd = new Command("rings", "The ring's links and what each peer's status is on each (like corosync-cfgtool -s)") { nodes };
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var s = await c.GetStatusAsync(ct).ConfigureAwait(false);
            if (WriteJson(p, s.Link)) return ExitCodes.Ok;
            if (p.GetValue(nodes))
                TableViews.WriteNodeLinks(output, s);
            else
                TableViews.WriteRings(output, s);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private Command ExpectedCommand()
    {
        var votes = new Argument<uint>("votes") { Description = "The new expected votes (like pvecm expected N)" };
        votes.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && r.Tokens[0].Value == "0") r.AddError("expected votes must be at least 1");
        });
        var cmd = new Command("expected", "Set expected votes at run time") { votes };
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var r = await c.SetExpectedVotesAsync(p.GetValue(votes), ct).ConfigureAwait(false);
            if (!WriteJson(p, r)) await output.WriteLineAsync($"Expected votes: {r.ExpectedVotes}, quorum: {r.Quorum}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private Command SendCommand()
    {
        var text = new Argument<string?>("text") { Description = "The message to multicast through the ring (UTF-8), by the control API", Arity = ArgumentArity.ZeroOrOne };
        var (rate, size, count, socket) = SocketSendOptions();
        var cmd = new Command("send", "Multicast an application message through the ring; with --size, a stream of messages through the node's client socket") { text, rate, size, count, socket };
        cmd.Validators.Add(r =>
        {
            var hasText = r.GetValue(text) is not null;
            var streaming = r.GetResult(size) is not null || r.GetResult(rate) is not null || r.GetResult(count) is not null;
            if (hasText == streaming) r.AddError("send takes either TEXT (one message through the control API) or --size B [--rate N] [--count C] (a stream through the client socket)");
            else if (streaming && r.GetResult(size) is null) r.AddError("--rate and --count go with --size B: the size of each message");
        });
        cmd.SetAction((p, ct) => p.GetValue(text) is null
            ? SendStreamAsync(p, rate, size, count, socket, ct)
            : WithClient(p, ct, async c =>
            {
                var body = Encoding.UTF8.GetBytes(p.GetValue(text) ?? "");
                var r = await c.SendAsync(body, ct).ConfigureAwait(false);
                if (!WriteJson(p, r)) await output.WriteLineAsync($"Queued as submission {r.Index} ({r.Bytes} bytes)").ConfigureAwait(false);
                return ExitCodes.Ok;
            }));
        return cmd;
    }

    private Command MessagesCommand()
    {
        var from = new Option<long>("--from") { Description = "First delivery index to show", DefaultValueFactory = _ => 0 };
        var max = new Option<int?>("--max") { Description = $"At most this many (server default {1000})" };
        from.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 0) r.AddError("--from must be 0 or more");
        });
        max.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--max must be at least 1");
        });
        var cmd = new Command("messages", "Application messages this node delivered, in delivery order") { from, max };
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var m = await c.GetMessagesAsync(p.GetValue(from), p.GetValue(max), ct).ConfigureAwait(false);
            if (!WriteJson(p, m)) TableViews.WriteMessages(Console(), m);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private Command WatchCommand()
    {
        var cmd = new Command("watch", "Stream membership, quorum and watchdog events until Ctrl-C");
        cmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            try
            {
                await foreach (var e in c.WatchAsync(ct).ConfigureAwait(false))
                {
                    if (p.GetValue(_json)) await output.WriteLineAsync(JsonSerializer.Serialize(e, ControlJson.Options.TypeInfo<EventDto>())).ConfigureAwait(false);
                    else TableViews.WriteEvent(output, e);
                    await output.FlushAsync(ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C ends watching; that is success.
            }
            return ExitCodes.Ok;
        }, streaming: true));
        return cmd;
    }

    private Command FaultCommand()
    {
        var fault = new Command("fault", "In-node fault injection on the datagrams this node sends, or on one knet link both ways (works on any kernel)");

        var peer = new Option<uint?>("--peer") { Description = "Only datagrams to this node id (default: all peers)" };
        var link = new Option<uint?>("--link") { Description = "Only knet link N, both directions at this node, every peer (a node with ringN_addr)" };
        void PeerOrLink(System.CommandLine.Parsing.CommandResult r)
        {
            if (r.GetValue(peer) is not null && r.GetValue(link) is not null) r.AddError("--peer and --link do not go together: a link's fault applies to every peer on it");
            if (r.GetValue(link) is >= Protocol.Links.LinkSettings.MaxLinks) r.AddError($"--link must be a link number 0..{Protocol.Links.LinkSettings.MaxLinks - 1}");
        }
        var delay = new Argument<string>("delay") { Description = "Added delay, e.g. 20ms" };
        var jitter = new Option<string?>("--jitter") { Description = "Uniform jitter around the delay, e.g. 5ms" };
        var delayCmd = new Command("delay", "Delay outgoing datagrams: fault delay 20ms --jitter 5ms [--peer ID | --link N]") { delay, jitter, peer, link };
        delayCmd.Validators.Add(PeerOrLink);
        delayCmd.Validators.Add(r =>
        {
            if (r.GetValue(delay) is { } d && ArgumentParsers.Milliseconds(d, out var problem) is null) r.AddError(problem!);
            if (r.GetValue(jitter) is { } j && ArgumentParsers.Milliseconds(j, out var problem2) is null) r.AddError(problem2!);
        });
        delayCmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var ms = ArgumentParsers.Milliseconds(p.GetValue(delay)!, out _);
            var jit = p.GetValue(jitter) is { } j ? ArgumentParsers.Milliseconds(j, out _) : 0;
            var f = await c.SetFaultAsync(new FaultRequest(p.GetValue(peer), ms, jit, null, p.GetValue(link)), ct).ConfigureAwait(false);
            if (!WriteJson(p, f)) TableViews.WriteFaults(Console(), f);
            return ExitCodes.Ok;
        }));

        var percent = new Argument<string>("percent") { Description = "Share of outgoing datagrams to drop, e.g. 10%" };
        var lossCmd = new Command("loss", "Drop outgoing datagrams: fault loss 10% [--peer ID | --link N]") { percent, peer, link };
        lossCmd.Validators.Add(PeerOrLink);
        lossCmd.Validators.Add(r =>
        {
            if (r.GetValue(percent) is { } t && ArgumentParsers.Percent(t, out var problem) is null) r.AddError(problem!);
        });
        lossCmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var loss = ArgumentParsers.Percent(p.GetValue(percent)!, out _);
            var f = await c.SetFaultAsync(new FaultRequest(p.GetValue(peer), null, null, loss, p.GetValue(link)), ct).ConfigureAwait(false);
            if (!WriteJson(p, f)) TableViews.WriteFaults(Console(), f);
            return ExitCodes.Ok;
        }));

        var dropCmd = new Command("drop", "Drop every datagram (loss 100%): fault drop --link 0 cuts link 0 at this node [--peer ID | --link N]") { peer, link };
        dropCmd.Validators.Add(PeerOrLink);
        dropCmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var f = await c.SetFaultAsync(new FaultRequest(p.GetValue(peer), null, null, 100, p.GetValue(link)), ct).ConfigureAwait(false);
            if (!WriteJson(p, f)) TableViews.WriteFaults(Console(), f);
            return ExitCodes.Ok;
        }));

        var clearCmd = new Command("clear", "Remove injected faults (all, one peer's override with --peer, or one link's with --link)") { peer, link };
        clearCmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var f = await c.ClearFaultsAsync(p.GetValue(peer), ct, p.GetValue(link)).ConfigureAwait(false);
            if (!WriteJson(p, f)) TableViews.WriteFaults(Console(), f);
            return ExitCodes.Ok;
        }));

        var showCmd = new Command("show", "Show the injected faults");
        showCmd.SetAction((p, ct) => WithClient(p, ct, async c =>
        {
            var f = await c.GetFaultsAsync(ct).ConfigureAwait(false);
            if (!WriteJson(p, f)) TableViews.WriteFaults(Console(), f);
            return ExitCodes.Ok;
        }));

        fault.Add(delayCmd);
        fault.Add(lossCmd);
        fault.Add(dropCmd);
        fault.Add(clearCmd);
        fault.Add(showCmd);
        return fault;
    }

    /// <summary>The node URL from --node, else $TOTEMCTL_NODE, else the local default; null with a message when malformed.</summary>
    public Uri? ResolveNode(ParseResult p, out string? problem)
    {
        problem = null;
        var text = p.GetValue(_node) ?? environment(ControlDefaults.NodeEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(text)) return ControlDefaults.LocalNode;
        if (!text.Contains("://", StringComparison.Ordinal)) text = "http://" + text;
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0)
            return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
        problem = $"'{p.GetValue(_node) ?? text}' is not a node URL: use e.g. http://127.0.0.1:{ControlDefaults.Port}";
        return null;
    }

    private async Task<int> WithClient(ParseResult p, CancellationToken ct, Func<ControlClient, Task<int>> action, bool streaming = false)
    {
        var uri = ResolveNode(p, out var problem);
        if (uri is null)
        {
            await error.WriteLineAsync($"totemctl: {problem}").ConfigureAwait(false);
            return ExitCodes.UsageOrConnection;
        }
        using var http = httpFactory(uri);
        if (streaming) http.Timeout = Timeout.InfiniteTimeSpan;
        try
        {
            return await action(new ControlClient(http)).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"totemctl: cannot reach totemd at {uri}: {Reason(ex)}").ConfigureAwait(false);
            return ExitCodes.UsageOrConnection;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            await error.WriteLineAsync($"totemctl: cannot reach totemd at {uri}: no answer within {http.Timeout.TotalSeconds:0} s").ConfigureAwait(false);
            return ExitCodes.UsageOrConnection;
        }
        catch (ControlApiException ex)
        {
            await error.WriteLineAsync($"totemctl: totemd at {uri} refused: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.UsageOrConnection;
        }
        catch (JsonException ex)
        {
            await error.WriteLineAsync($"totemctl: {uri} did not answer like totemd: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.UsageOrConnection;
        }
    }

    private static string Reason(HttpRequestException ex) => ex.InnerException switch
    {
        SocketException s when s.SocketErrorCode == SocketError.ConnectionRefused => "connection refused",
        SocketException s => s.Message,
        { } inner => inner.Message,
        null => ex.Message,
    };

    private bool WriteJson<T>(ParseResult p, T value)
    {
        if (!p.GetValue(_json)) return false;
        output.WriteLine(JsonSerializer.Serialize(value, PrettyJson.TypeInfo<T>()));
        return true;
    }

    private IAnsiConsole Console() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
    });
}
