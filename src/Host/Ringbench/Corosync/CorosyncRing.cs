using System.Diagnostics;
using System.Globalization;
using System.Text;
using Totem.Host.Ringbench.LocalRing;

namespace Totem.Host.Ringbench.Corosync;

/// <summary>
/// A ring of real corosync 3 processes (Debian's package) on this machine, for ringbench's side-by-side figures: one
/// network namespace per node with a veth into one bridge that lives in a "switch" namespace of its own, addresses on
/// a private /24 that exists only on that bridge, udpu with the same timing keys as the totemd ring, each node with
/// its own /run (corosync's pid file is a fixed lock) and state dir (its ringid file, kept across restarts as corosync
/// always keeps it). Membership and quorum are read from each node's own log (<see cref="CorosyncQuorumLines"/>).
/// Every namespace and process it made is removed on dispose.
/// </summary>
public sealed class CorosyncRing : IAsyncDisposable
{
    public const string Program = "/usr/sbin/corosync";
    private const string Ip = "/usr/sbin/ip";

    private readonly string _switch;
    private readonly string[] _namespaces;
    private readonly TotemdProcess?[] _current;
    private readonly List<TotemdProcess> _started = [];
    private readonly int _subnet;
    private readonly RingSpec _spec;
    private readonly bool _realtime;

    private CorosyncRing(RingSpec spec, bool realtime, string runDirectory, string tag, int subnet)
    {
        _spec = spec;
        _realtime = realtime;
        RunDirectory = runDirectory;
        _subnet = subnet;
        _switch = $"rb{tag}sw";
        _namespaces = Enumerable.Range(0, spec.Nodes + 1).Select(n => $"rb{tag}n{n}").ToArray();
        _current = new TotemdProcess?[spec.Nodes + 1];
    }

    public string RunDirectory { get; }

    /// <summary>The authkey of a ring with crypto (<see cref="RingSpec.Sealed"/>).</summary>
    public string KeyFile => Path.Combine(RunDirectory, "authkey");

    /// <summary>Whether this machine can run it: corosync and iproute2 installed, and root (namespaces, mounts).</summary>
    public static string? Unavailable() =>
        !File.Exists(Program) ? $"{Program} is not installed (apt-get install corosync)"
        : !File.Exists(Ip) ? $"{Ip} is not installed (iproute2)"
        : Environment.UserName != "root" ? "network namespaces need root"
        : null;

    /// <summary>corosync -v's version line, e.g. "Corosync Cluster Engine, version '3.1.7'".</summary>
    public static async Task<string> VersionAsync() => (await RunAsync(Program, ["-v"]).ConfigureAwait(false)).Split('\n')[0].Trim();

    /// <param name="realtime">Leave corosync at its default SCHED_RR 99; false: its corosync.conf turns sched_rr off (<see cref="CorosyncScheduling"/>).</param>
    public static async Task<CorosyncRing> CreateAsync(RingSpec spec, bool realtime)
    {
        if (Unavailable() is { } why) throw new InvalidOperationException($"ringbench --corosync: {why}");
        var tag = Guid.NewGuid().ToString("N")[..6];
        var dir = Path.Combine(Path.GetTempPath(), "totem-corosync-" + tag);
        Directory.CreateDirectory(dir);
        // 10.200-249.x.0/24: private, and only on this run's bridge.
        var subnet = 200 * 256 + Random.Shared.Next(50 * 256);
        var ring = new CorosyncRing(spec, realtime, dir, tag, subnet);
        try
        {
            // corosync reads the same form of key as totemd (corosync-keygen writes 256 random bytes): one key for every node.
            if (spec.Sealed && Totem.Host.Control.AuthKeyFile.Write(ring.KeyFile, Totem.Host.Control.AuthKeyFile.DefaultBytes, overwrite: false) is { } problem)
                throw new InvalidOperationException($"the corosync ring's authkey: {problem}");
            await ring.BuildNetworkAsync().ConfigureAwait(false);
            for (var n = 1; n <= spec.Nodes; n++) ring.WriteNodeFiles(n);
        }
        catch
        {
            await ring.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return ring;
    }

    public string Address(int node) => string.Create(CultureInfo.InvariantCulture, $"10.{_subnet / 256}.{_subnet % 256}.{node}");

    /// <summary>Node N's network namespace: its corosync's IPC (abstract unix sockets) is reachable only from there.</summary>
    public string Namespace(int node) => _namespaces[node];

    public TotemdProcess Process(int node) => _current[node] ?? throw new InvalidOperationException($"corosync node {node} was never started");

    public void Start(int node)
    {
        if (_current[node] is { HasExited: false } running)
            throw new InvalidOperationException($"corosync node {node} is still running (pid {running.Pid})");
        var nodeDir = NodeDirectory(node);
        var restarts = _started.Count(p => p.NodeId == node);
        var log = Path.Combine(RunDirectory, restarts == 0 ? $"node{node}.log" : $"node{node}.{restarts}.log");
        // `ip netns exec` gives the command a private mount namespace; exec keeps the pid, so SIGKILL reaches corosync.
        var process = TotemdProcess.StartProgram(node, Ip,
            ["netns", "exec", _namespaces[node], "sh", "-c", $"mount --bind '{nodeDir}/run' /run && exec {Program} -f -c '{nodeDir}/corosync.conf'"],
            log);
        _started.Add(process);
        _current[node] = process;
    }

    public void StartAll()
    {
        for (var n = 1; n <= _spec.Nodes; n++) Start(n);
    }

    public void Kill(int node) => Process(node).Signal(TotemdProcess.SigKill);

    /// <summary>True when every given node's log says it has exactly <paramref name="members"/> and the given quorum state.</summary>
    public bool HasRing(IReadOnlyCollection<int> members, bool quorate)
    {
        var expected = members.Order().Select(m => (uint)m).ToArray();
        foreach (var n in members)
        {
            if (_current[n] is not { HasExited: false } p) return false;
            var (seen, isQuorate) = CorosyncQuorumLines.State(p.Lines());
            if (isQuorate != quorate || !seen.Order().SequenceEqual(expected)) return false;
        }
        return true;
    }

    /// <summary>Polls the logs every <paramref name="interval"/> (as the totemd ring's status is polled) until the ring is there.</summary>
    public async Task WaitForRingAsync(IReadOnlyCollection<int> members, bool quorate, TimeSpan timeout, TimeSpan interval)
    {
        var clock = Stopwatch.StartNew();
        while (!HasRing(members, quorate))
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"corosync nodes {string.Join(",", members)} not operational with members [{string.Join(",", members.Order())}] " +
                    $"and quorate={quorate} within {timeout.TotalSeconds:0.#} s; {RunDirectory}\n" +
                    string.Join("\n", members.Select(n => $"node {n}: " + (_current[n]?.Tail(6) ?? "not started"))));
            await Task.Delay(interval).ConfigureAwait(false);
        }
    }

    /// <summary>Stops every corosync, then removes the namespaces (the veths and the bridge go with them).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var p in _started) p.Dispose();
        foreach (var ns in _namespaces.Skip(1).Append(_switch))
        {
            try
            {
                await RunAsync(Ip, ["netns", "del", ns]).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Never made (a failed set-up) or already gone.
            }
        }
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
    }

    private async Task BuildNetworkAsync()
    {
        await RunAsync(Ip, ["netns", "add", _switch]).ConfigureAwait(false);
        await RunAsync(Ip, ["-n", _switch, "link", "add", "br0", "type", "bridge"]).ConfigureAwait(false);
        await RunAsync(Ip, ["-n", _switch, "link", "set", "br0", "up"]).ConfigureAwait(false);
        for (var n = 1; n <= _spec.Nodes; n++)
        {
            var ns = _namespaces[n];
            var port = string.Create(CultureInfo.InvariantCulture, $"p{n}");
            await RunAsync(Ip, ["netns", "add", ns]).ConfigureAwait(false);
            // Made with both ends in place: no name in the root namespace to collide with anyone's.
            await RunAsync(Ip, ["link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", port, "netns", _switch]).ConfigureAwait(false);
            await RunAsync(Ip, ["-n", _switch, "link", "set", port, "master", "br0"]).ConfigureAwait(false);
            await RunAsync(Ip, ["-n", _switch, "link", "set", port, "up"]).ConfigureAwait(false);
            await RunAsync(Ip, ["-n", ns, "addr", "add", Address(n) + "/24", "dev", "eth0"]).ConfigureAwait(false);
            await RunAsync(Ip, ["-n", ns, "link", "set", "eth0", "up"]).ConfigureAwait(false);
            await RunAsync(Ip, ["-n", ns, "link", "set", "lo", "up"]).ConfigureAwait(false);
        }
    }

    private string NodeDirectory(int node) => Path.Combine(RunDirectory, string.Create(CultureInfo.InvariantCulture, $"node{node}"));

    private void WriteNodeFiles(int node)
    {
        var dir = NodeDirectory(node);
        Directory.CreateDirectory(Path.Combine(dir, "run"));
        Directory.CreateDirectory(Path.Combine(dir, "state"));
        File.WriteAllText(Path.Combine(dir, "corosync.conf"), Render(Path.Combine(dir, "state")));
    }

    /// <summary>corosync.conf for one node: the totemd ring's keys (transport, crypto, token, token_coefficient, votequorum), this node's state dir.</summary>
    public string Render(string stateDir)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $$"""
            # Written by ringbench for one run.
            totem {
              version: 2
              cluster_name: {{_spec.ClusterName}}
              transport: {{(_spec.Sealed ? "knet" : _spec.Transport)}}{{Crypto()}}
              token: {{_spec.Token}}
              token_coefficient: {{_spec.TokenCoefficient}}
            }
            """);
        text.Append(_spec.NodelistAndQuorum(Address));
        text.AppendLine(c, $$"""
            logging {
              to_stderr: yes
              to_syslog: no
              to_logfile: no
              timestamp: hires
            }
            system {
              state_dir: {{stateDir}}
            {{CorosyncScheduling.SystemKeys(_realtime)}}
            }
            """);
        return text.ToString();
    }

    /// <summary>The totemd ring's crypto keys: corosync 3 seals only on knet, as totemd does.</summary>
    private string Crypto()
    {
        if (!_spec.Sealed) return "\n  crypto_cipher: none\n  crypto_hash: none";
        var suite = Totem.Protocol.Config.TotemCrypto.ParseSuite(_spec.Crypto, out var error) ?? throw new ArgumentException($"crypto {error}");
        return $"\n  crypto_cipher: {Totem.Protocol.Config.TotemCrypto.Name(suite.Cipher)}\n  crypto_hash: {Totem.Protocol.Config.TotemCrypto.Name(suite.Hash)}\n  keyfile: {KeyFile}";
    }

    private static async Task<string> RunAsync(string program, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {(await error.ConfigureAwait(false)).Trim()}");
        return await output.ConfigureAwait(false) + await error.ConfigureAwait(false);
    }
}
