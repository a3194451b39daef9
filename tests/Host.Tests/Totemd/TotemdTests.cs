using System.Net;
using System.Net.Sockets;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Totem.Host.Tests.Fixtures;
using Totem.Host.Totemd;
using Totem.Host.Totemd.Logging;
using Totem.Nodes.Control;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Totemd;

// local-ring.conf's key is a file with Unix mode bits.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TotemdTests : IDisposable
{
    private readonly LocalRingKey _key = new();

    public void Dispose() => _key.Dispose();

    /// <summary>hocon/local-ring.conf for node <paramref name="nodeId"/>, with the test's key.</summary>
    private TotemdOptions LocalRing(uint nodeId, IPEndPoint? control, bool checkOnly) =>
        new(RingConfig, nodeId, null, control, checkOnly) { AkkaConfigPath = _key.Hocon() };

    private static string RingConfig => Path.Combine(RepoRoot(), "hocon", "local-ring.conf");

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "cluster.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cluster.sln not found above the test directory");
    }

    private static async Task<(int Code, string Out, string Err)> Run(TotemdOptions options)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await new TotemdDaemon(options, launcher: null, new TableResolver(), output, error).RunAsync(CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1:7405", "127.0.0.1", 7405)]
    [InlineData("127.0.0.3", "127.0.0.3", 7405)]
    [InlineData("0.0.0.0:9000", "0.0.0.0", 9000)]
    [InlineData("[::1]:7406", "::1", 7406)]
    [InlineData("[::1]", "::1", 7405)]
    public void Control_addresses_parse_with_the_default_port(string text, string address, int port) =>
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), ControlEndpoint.Parse(text, out _));

    [Theory]
    [InlineData("localhost:7405")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("")]
    public void Bad_control_addresses_are_explained(string text)
    {
        Assert.Null(ControlEndpoint.Parse(text, out var error));
        Assert.Contains("ADDRESS:PORT", error);
    }

    [Fact]
    public async Task Check_accepts_the_local_ring_config_for_node_3()
    {
        var (code, output, error) = await Run(LocalRing(3, null, checkOnly: true));
        Assert.True(code == TotemdExitCodes.Ok, error);
        Assert.Contains("configuration ok: node 3 on 127.0.0.3:5405", output);
        Assert.Contains("5 processors", output);
    }

    [Fact]
    public async Task Check_lists_each_redundant_link_on_the_nodes_ringN_addr_and_the_links_port()
    {
        var path = Path.Combine(Path.GetTempPath(), $"totemd-links-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(path, """
            totem {
              version: 2
              cluster_name: links
              transport: knet
              interface {
                linknumber: 1
                mcastport: 6000
              }
            }
            nodelist {
              node {
                nodeid: 1
                ring0_addr: 127.0.0.1
                ring1_addr: 127.0.1.1
              }
              node {
                nodeid: 2
                ring0_addr: 127.0.0.2
                ring1_addr: 127.0.1.2
              }
            }
            """);
        try
        {
            var (code, output, error) = await Run(new TotemdOptions(path, 2, null, null, CheckOnly: true));
            Assert.True(code == TotemdExitCodes.Ok, error);
            Assert.Contains("configuration ok: node 2 on 127.0.0.2:5405, link 1 on 127.0.1.2:6000, control API on", output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_bad_config_exits_2_with_file_and_line()
    {
        var path = Path.Combine(Path.GetTempPath(), $"totemd-bad-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(path, "totem {\n  version: 2\n  token: soon\n}\n");
        try
        {
            var (code, _, error) = await Run(new TotemdOptions(path, 1, null, null, CheckOnly: true));
            Assert.Equal(TotemdExitCodes.BadConfig, code);
            Assert.Contains($"{path}:3:", error);
            Assert.Contains("configuration refused", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task An_unknown_nodeid_exits_2_listing_the_known_ones()
    {
        var (code, _, error) = await Run(LocalRing(9, null, checkOnly: true));
        Assert.Equal(TotemdExitCodes.BadConfig, code);
        Assert.Contains("--nodeid 9: no such node", error);
    }

    [Fact]
    public async Task Without_a_launcher_only_check_runs()
    {
        var (code, _, _) = await Run(LocalRing(2, new IPEndPoint(IPAddress.Loopback, 0), checkOnly: false));
        Assert.Equal(TotemdExitCodes.Failed, code);
    }

    [Fact]
    public async Task Command_line_errors_are_reported_by_the_parser()
    {
        TotemdOptions? seen = null;
        var root = TotemdCommand.Build((o, _) => { seen = o; return Task.FromResult(0); });
        Assert.NotEmpty(root.Parse(["--nodeid", "1"]).Errors);
        Assert.NotEmpty(root.Parse(["--config", "x", "--nodeid", "0"]).Errors);
        Assert.NotEmpty(root.Parse(["--config", "x", "--bind", "node1"]).Errors);
        Assert.NotEmpty(root.Parse(["--config", "x", "--control", "localhost:1"]).Errors);
        var ok = root.Parse(["--config", "x.conf", "--nodeid", "2", "--bind", "127.0.0.2", "--control", "127.0.0.2:7405"]);
        Assert.Empty(ok.Errors);
        Assert.Equal(0, await ok.InvokeAsync());
        Assert.Equal(new TotemdOptions("x.conf", 2, IPAddress.Parse("127.0.0.2"), new IPEndPoint(IPAddress.Parse("127.0.0.2"), 7405), false), seen);
    }

    [Theory]
    [InlineData(NodeExitReason.Stopped, 0)]
    [InlineData(NodeExitReason.Failed, 1)]
    [InlineData(NodeExitReason.Fenced, 75)]
    public void Node_exits_map_to_documented_exit_codes(NodeExitReason reason, int code) =>
        Assert.Equal(code, TotemdDaemon.ExitCodeFor(new NodeExit(reason, "test", DateTimeOffset.UnixEpoch)));

    /// <summary>The real launcher, keeping the system it made ahead so that the test can see it stopped.</summary>
    private sealed class KeepingLauncher : INodeLauncher
    {
        private readonly UdpNodeLauncher _udp = new();

        public Task<Akka.Actor.ActorSystem>? Ahead { get; private set; }

        public Task<IRunningNode> StartAsync(NodeLaunch launch, Serilog.ILogger log, CancellationToken cancellationToken) =>
            _udp.StartAsync(launch, log, cancellationToken);

        public Task<Akka.Actor.ActorSystem>? CreateSystemAhead(NodeId localNode, Akka.Configuration.Config? akkaConfig, Serilog.ILogger akkaLog) =>
            Ahead = _udp.CreateSystemAhead(localNode, akkaConfig, akkaLog);
    }

    [Fact]
    public async Task A_ring_socket_in_use_fails_the_start_and_totemd_stops_the_system_it_made_ahead()
    {
        using var holder = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)holder.Client.LocalEndPoint!).Port;
        var path = Path.Combine(Path.GetTempPath(), $"totemd-in-use-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(path, $$"""
            totem {
              version: 2
              cluster_name: in-use
              interface {
                linknumber: 0
                mcastport: {{port}}
              }
            }
            nodelist {
              node {
                nodeid: 1
                ring0_addr: 127.0.0.1
              }
            }
            """);
        var launcher = new KeepingLauncher();
        try
        {
            var error = new StringWriter();
            var code = await new TotemdDaemon(new TotemdOptions(path, 1, null, null, CheckOnly: false), launcher, new TableResolver(), new StringWriter(), error)
                .RunAsync(CancellationToken.None);
            Assert.True(code == TotemdExitCodes.Failed, $"exit {code}: {error}");
            Assert.NotNull(launcher.Ahead);
            var system = await launcher.Ahead;
            Assert.True(system.WhenTerminated.IsCompleted, "the system made ahead outlived the failed start");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Log_lines_look_like_corosync_s()
    {
        var sink = new CapturingSink();
        using (var log = CorosyncLog.Configure(new LoggerConfiguration(), debug: false).WriteTo.Sink(sink).CreateLogger())
        {
            log.ForContext(LogSubsystem.Property, LogSubsystem.Totem).Information("A new membership ({Ring}) was formed. Members left: {Left}", "1.30", 5);
            log.Warning("Waiting for peers");
            log.ForContext(LogSubsystem.Property, LogSubsystem.Quorum).Debug("not shown without debug");
        }
        var lines = sink.Lines;
        Assert.Equal(2, lines.Count);
        Assert.Matches(@"^[A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2}\.\d{3} \[TOTEM \] A new membership \(1\.30\) was formed\. Members left: 5$", lines[0]);
        Assert.Matches(@"\[MAIN  \] warning: Waiting for peers$", lines[1]);
    }

    private sealed class CapturingSink : ILogEventSink
    {
        public List<string> Lines { get; } = [];

        public void Emit(LogEvent logEvent)
        {
            var w = new StringWriter();
            CorosyncLog.Formatter.Format(logEvent, w);
            Lines.Add(w.ToString().TrimEnd('\r', '\n'));
        }
    }
}
