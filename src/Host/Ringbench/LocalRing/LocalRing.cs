using Totem.Nodes.Transport;
using System.Globalization;
using System.Net;
using Totem.Host.Control;
using Totem.Host.Control.Api;
using Totem.Protocol.Config;

namespace Totem.Host.Ringbench.LocalRing;

/// <summary>
/// A ring of real totemd processes on this machine: node N binds 127.0.0.N on a UDP port free for this
/// run and serves its control API on 127.0.0.N on a TCP port free for this run, with a config written
/// to a fresh run directory. Every process it starts is killed on dispose, whatever happened.
/// </summary>
public sealed class LocalRing : IAsyncDisposable
{
    private readonly List<TotemdProcess> _started = [];
    private readonly TotemdProcess?[] _current;
    private readonly ControlClient[] _clients;
    private readonly HttpClient[] _http;

    private LocalRing(RingSpec spec, string runDirectory, int ringPort, int controlPort)
    {
        Spec = spec;
        RunDirectory = runDirectory;
        RingPort = ringPort;
        ControlPort = controlPort;
        ConfigPath = Path.Combine(runDirectory, "ring.conf");
        if (spec.Sealed)
        {
            // What `totemctl keygen -k <run>/authkey` writes: 256 random bytes, mode 0400; one key shared by every node.
            KeyFile = Path.Combine(runDirectory, "authkey");
            if (AuthKeyFile.Write(KeyFile, AuthKeyFile.DefaultBytes, overwrite: false) is { } problem)
                throw new InvalidOperationException($"the ring's authkey: {problem}");
        }
        File.WriteAllText(ConfigPath, spec.Render(ringPort, KeyFile));
        var loaded = ConfigFile.Load(ConfigPath);
        if (!loaded.IsValid || loaded.Config is null)
            throw new InvalidOperationException($"the generated config {ConfigPath} is refused: {string.Join("; ", loaded.Diagnostics)}");
        Timeouts = loaded.Config.Timeouts();
        Program = TotemdProgram.Find(AppContext.BaseDirectory, DotnetHost());
        _current = new TotemdProcess?[spec.Nodes + 1];
        _http = new HttpClient[spec.Nodes + 1];
        _clients = new ControlClient[spec.Nodes + 1];
        for (var n = 1; n <= spec.Nodes; n++)
        {
            _http[n] = new HttpClient { BaseAddress = new Uri($"http://{Address(n)}:{controlPort}/"), Timeout = TimeSpan.FromSeconds(10) };
            _clients[n] = new ControlClient(_http[n]);
        }
    }

    public RingSpec Spec { get; }

    /// <summary>The totemd the nodes run: a Release build's publish (NativeAOT or ReadyToRun), else the JIT build.</summary>
    public TotemdProgram Program { get; }

    public string RunDirectory { get; }

    public string ConfigPath { get; }

    /// <summary>The authkey every node of a ring with crypto reads; null without crypto.</summary>
    public string? KeyFile { get; }

    public int RingPort { get; }

    public int ControlPort { get; }

    /// <summary>The derived timeouts of this ring's config (effective token, consensus, ...), from the one formula.</summary>
    public TotemTimeouts Timeouts { get; }

    public IEnumerable<int> NodeIds => Enumerable.Range(1, Spec.Nodes);

    /// <summary>Every process started so far, restarts included.</summary>
    public IReadOnlyList<TotemdProcess> Started => _started;

    public static IPAddress Address(int node) => LoopbackPorts.Address(node);

    public static LocalRing Create(RingSpec spec)
    {
        var dir = Path.Combine(Path.GetTempPath(), "totem-localring-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return new LocalRing(spec, dir, LoopbackPorts.Udp(spec.Nodes), LoopbackPorts.Tcp(spec.Nodes));
    }

    public TotemdProcess Process(int node) => _current[node] ?? throw new InvalidOperationException($"node {node} was never started");

    public ControlClient Client(int node) => _clients[node];

    /// <summary>Node N's local client socket, in the run directory (every start of the node serves it there).</summary>
    public string ClientSocket(int node) => Path.Combine(RunDirectory, $"node{node}.sock");

    /// <param name="configPath">Another cluster file for this start (a node given another key); the ring's own by default.</param>
    /// <summary>
    /// The observer plane's port on every node's address (--observer), for the dashboard; null (the default): off.
    /// Set before the nodes start.
    /// </summary>
    public int? ObserverPort { get; set; }

    public TotemdProcess Start(int node, string? configPath = null)
    {
        if (_current[node] is { HasExited: false } running)
            throw new InvalidOperationException($"node {node} is still running (pid {running.Pid})");
        var restarts = _started.Count(p => p.NodeId == node);
        var log = Path.Combine(RunDirectory, restarts == 0 ? $"node{node}.log" : $"node{node}.{restarts}.log");
        var process = TotemdProcess.Start(Program, configPath ?? ConfigPath, node, new IPEndPoint(Address(node), ControlPort), ClientSocket(node), log, ObserverPort);
        _started.Add(process);
        _current[node] = process;
        return process;
    }

    public void StartAll(IEnumerable<int>? nodes = null)
    {
        foreach (var n in nodes ?? NodeIds) Start(n);
    }

    /// <summary>SIGKILL: a crash; the node sends nothing more.</summary>
    public void Kill(int node) => Process(node).Signal(TotemdProcess.SigKill);

    /// <summary>SIGTERM: totemd leaves the ring and exits 0.</summary>
    public void Terminate(int node) => Process(node).Signal(TotemdProcess.SigTerm);

    /// <summary>The node's status, or null when it does not answer (not started yet, dead, busy past the timeout).</summary>
    public async Task<StatusDto?> TryStatusAsync(int node, CancellationToken ct = default)
    {
        try
        {
            return await _clients[node].GetStatusAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ControlApiException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>True when every given node is operational with exactly <paramref name="members"/> and the given quorum state.</summary>
    public async Task<bool> HasRingAsync(IReadOnlyCollection<int> members, bool quorate, CancellationToken ct = default)
    {
        var expected = members.Order().Select(m => (uint)m).ToArray();
        var statuses = await Task.WhenAll(members.Select(n => TryStatusAsync(n, ct))).ConfigureAwait(false);
        return statuses.All(s => s is not null && s.State == "operational" && s.Quorate == quorate && s.Members.SequenceEqual(expected));
    }

    /// <summary>Polls <paramref name="condition"/> every <paramref name="interval"/> until it holds; else a timeout naming what and where the ring stood.</summary>
    public async Task<TimeSpan> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await condition().ConfigureAwait(false)) return clock.Elapsed;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"not reached within {timeout.TotalSeconds:0.#} s: {what}\n{await DescribeAsync().ConfigureAwait(false)}");
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }
    }

    public Task<TimeSpan> WaitForRingAsync(IReadOnlyCollection<int> members, bool quorate, TimeSpan timeout, TimeSpan? interval = null) =>
        WaitUntilAsync(() => HasRingAsync(members, quorate), timeout,
            $"nodes {string.Join(",", members)} operational with members [{string.Join(",", members.Order())}] and quorate={quorate}", interval);

    /// <summary>Every node's state and the end of its output: what a failed test or benchmark prints.</summary>
    public async Task<string> DescribeAsync()
    {
        var lines = new List<string> { $"ring directory {RunDirectory}, UDP port {RingPort}, control port {ControlPort}" };
        foreach (var n in NodeIds)
        {
            var p = _current[n];
            if (p is null)
            {
                lines.Add($"node {n}: not started");
                continue;
            }
            var s = p.HasExited ? null : await TryStatusAsync(n).ConfigureAwait(false);
            var state = p.HasExited
                ? $"exited with {p.ExitCode}"
                : s is null ? "running, API not answering"
                : string.Create(CultureInfo.InvariantCulture, $"{s.State} ring {s.RingId.Text} members [{string.Join(",", s.Members)}] quorate={s.Quorate} votes {s.TotalVotes}/{s.ExpectedVotes}");
            lines.Add($"node {n} (pid {p.Pid}): {state}\n    " + p.Tail(8).Replace("\n", "\n    ", StringComparison.Ordinal));
        }
        return string.Join('\n', lines);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var p in _started) p.Dispose();
        foreach (var h in _http.Where(h => h is not null)) h.Dispose();
        if (Environment.GetEnvironmentVariable("TOTEM_KEEP_RING_LOGS") is not { Length: > 0 })
        {
            try
            {
                Directory.Delete(RunDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A log still held open by a dying process; the temp directory is the OS's to clean.
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The dotnet host that runs this process (dotnet test and dotnet run export it), else dotnet from PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }
}
