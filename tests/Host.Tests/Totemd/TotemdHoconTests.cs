using System.Net;
using Serilog.Events;
using Totem.Host.Control;
using Totem.Host.Tests.Fixtures;
using Totem.Host.Totemd;
using Totem.Host.Totemd.Logging;
using Totem.Host.Totemd.Settings;
using Totem.Protocol.Config;

namespace Totem.Host.Tests.Totemd;

public sealed class TotemdHoconTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "cluster.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cluster.sln not found above the test directory");
    }

    private static TotemdSettings Valid(string? text)
    {
        var result = TotemdHocon.Parse(text, "test.conf");
        Assert.True(result.IsValid, string.Join("\n", result.Diagnostics));
        return result.Settings!;
    }

    private static ConfigDiagnostic OneError(string text)
    {
        var result = TotemdHocon.Parse(text, "test.conf");
        Assert.False(result.IsValid);
        Assert.Null(result.Settings);
        return Assert.Single(result.Diagnostics, d => d.IsError);
    }

    [Fact]
    public void The_embedded_reference_conf_gives_today_s_defaults()
    {
        var s = Valid(null);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(ControlDefaults.Address), ControlDefaults.Port), s.Control);
        Assert.Equal(FencingMode.Exit, s.FencingMode);
        Assert.Equal(TimeSpan.FromMilliseconds(FencingSettings.Default.TimeoutMs), s.FencingTimeout);
        Assert.Equal(TimeSpan.Zero, s.BootDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(DiscoverySettings.Default.IntervalMs), s.DiscoveryInterval);
        Assert.Equal(DiscoverySettings.Default.NodeIdSource, s.NodeIdSource);
        Assert.Equal(LogLevelSetting.Info, s.LogLevel);
        Assert.Null(s.LogFile);
        Assert.Equal(LogFormat.Corosync, s.LogFormat);
        Assert.Equal(TimeSpan.FromSeconds(5), s.LeaveTimeout);
        Assert.Null(s.StateDir);
        Assert.Equal(Totem.Nodes.DeliveredLogLimits.Default, s.DeliveredLog);
        Assert.Equal(new Totem.Nodes.DeliveredLogLimits(10_000, 16L * 1024 * 1024), s.DeliveredLog);
        Assert.Equal(Totem.Nodes.SendQueueLimits.Default, s.SendQueue);
        Assert.Equal(new Totem.Nodes.SendQueueLimits(2048, 8L * 1024 * 1024), s.SendQueue);
    }

    [Fact]
    public void The_send_queue_s_bounds_are_read_with_size_units()
    {
        Assert.Equal(new Totem.Nodes.SendQueueLimits(100, 3L * 1024 * 1024), Valid("totemd.send-queue { messages = 100, bytes = 3MiB }\n").SendQueue);
        Assert.Equal(new Totem.Nodes.SendQueueLimits(2048, 1L << 30), Valid("totemd.send-queue.bytes = 1G\n").SendQueue);
    }

    [Fact]
    public void The_delivered_log_s_bounds_are_read_with_size_units()
    {
        var s = Valid("totemd.delivered-log { messages = 500, bytes = 2MiB }\n");
        Assert.Equal(new Totem.Nodes.DeliveredLogLimits(500, 2 * 1024 * 1024), s.DeliveredLog);
        Assert.Equal(300_000, Valid("totemd.delivered-log.bytes = 300000\n").DeliveredLog.Bytes);
        Assert.Equal(10_000, Valid("totemd.delivered-log.bytes = 300000\n").DeliveredLog.Messages);
    }

    [Theory]
    [InlineData("16MiB", 16L << 20)]
    [InlineData("16 M", 16L << 20)]
    [InlineData("512KiB", 512L << 10)]
    [InlineData("1G", 1L << 30)]
    [InlineData("42", 42L)]
    [InlineData("42 bytes", 42L)]
    [InlineData("16MB", null)]
    [InlineData("-1", null)]
    [InlineData("1.5MiB", null)]
    [InlineData("99999999999999999999", null)]
    [InlineData("9223372036854775807 KiB", null)]
    public void Sizes_read_as_HOCON_s_powers_of_two(string text, long? expected)
    {
        Assert.Equal(expected, TotemdHocon.ParseSize(text));
    }

    [Fact]
    public void A_file_overrides_the_reference_and_keeps_the_rest()
    {
        var s = Valid("""
            # an override file
            totemd {
              control { address = "0.0.0.0", port = 9405 }
              fencing.timeout = 2500ms
              logging {
                level = debug
                file = "/tmp/totemd.log"
              }
            }
            totemd.fencing.boot-delay = 3 s
            akka.loglevel = DEBUG
            """);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 9405), s.Control);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), s.FencingTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), s.BootDelay);
        Assert.Equal(FencingMode.Exit, s.FencingMode);
        Assert.Equal(LogLevelSetting.Debug, s.LogLevel);
        Assert.Equal("/tmp/totemd.log", s.LogFile);
        Assert.Equal(TimeSpan.FromSeconds(5), s.LeaveTimeout);
    }

    [Fact]
    public void The_akka_section_is_kept_for_the_node_s_actor_system()
    {
        var result = TotemdHocon.Parse("akka { loglevel = DEBUG }\n", "test.conf");
        Assert.True(result.IsValid);
        Assert.Equal("DEBUG", result.Config!.GetString("akka.loglevel"));
        Assert.Equal("exit", result.Config.GetString("totemd.fencing.mode"));
    }

    [Fact]
    public void The_shipped_totemd_conf_loads()
    {
        var result = TotemdHocon.Load(Path.Combine(RepoRoot(), "hocon", "totemd.conf"));
        Assert.True(result.IsValid, string.Join("\n", result.Diagnostics));
        Assert.DoesNotContain(result.Diagnostics, d => !d.IsError);
    }

    [Theory]
    [InlineData("totemd {\n  control {\n    port = 80000\n  }\n}\n", 3, 5, "totemd.control.port", "integer from 1 to 65535")]
    [InlineData("totemd.control.port = seven\n", 1, 1, "totemd.control.port", "\"seven\"")]
    [InlineData("totemd.control.address = localhost\n", 1, 1, "totemd.control.address", "IP address")]
    [InlineData("totemd {\n  fencing { mode = reboot }\n}\n", 2, 13, "totemd.fencing.mode", "exit, none")]
    [InlineData("totemd.fencing.timeout = soon\n", 1, 1, "totemd.fencing.timeout", "duration")]
    [InlineData("totemd.fencing.timeout = 0s\n", 1, 1, "totemd.fencing.timeout", "positive duration")]
    [InlineData("totemd.fencing.boot-delay = -1s\n", 1, 1, "totemd.fencing.boot-delay", "duration")]
    [InlineData("\n\ntotemd.logging.level = loud\n", 3, 1, "totemd.logging.level", "info, debug, trace")]
    [InlineData("totemd.logging.format = xml\n", 1, 1, "totemd.logging.format", "corosync, json")]
    [InlineData("totemd.discovery.nodeid-source = random\n", 1, 1, "totemd.discovery.nodeid-source", "reverse_dns_replica")]
    [InlineData("totemd.logging.file = [a, b]\n", 1, 1, "totemd.logging.file", "a list")]
    [InlineData("totemd.control = 7405\n", 1, 1, "totemd.control", "must be an object")]
    [InlineData("totemd.delivered-log.messages = 0\n", 1, 1, "totemd.delivered-log.messages", "integer from 1")]
    [InlineData("totemd {\n  delivered-log { bytes = lots }\n}\n", 2, 19, "totemd.delivered-log.bytes", "positive size")]
    [InlineData("totemd.delivered-log.bytes = 0\n", 1, 1, "totemd.delivered-log.bytes", "positive size")]
    [InlineData("totemd.delivered-log = 100\n", 1, 1, "totemd.delivered-log", "must be an object")]
    [InlineData("totemd.observer.enabled = maybe\n", 1, 1, "totemd.observer.enabled", "on, off")]
    [InlineData("totemd {\n  observer { port = 0 }\n}\n", 2, 14, "totemd.observer.port", "integer from 1 to 65535")]
    [InlineData("totemd.send-queue.messages = 0\n", 1, 1, "totemd.send-queue.messages", "integer from 1")]
    [InlineData("\ntotemd.send-queue.bytes = 512KiB\n", 2, 1, "totemd.send-queue.bytes", "at least 1048576 bytes")]
    [InlineData("totemd.send-queue.bytes = plenty\n", 1, 1, "totemd.send-queue.bytes", "positive size")]
    [InlineData("totemd.send-queue = 8MiB\n", 1, 1, "totemd.send-queue", "must be an object")]
    public void A_wrong_value_names_file_line_and_key(string text, int line, int column, string key, string expected)
    {
        var error = OneError(text);
        Assert.Equal(new SourcePosition("test.conf", line, column), error.Position);
        Assert.Contains($"'{key}'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("totemd {\n  logging { level = debug\n", 2, 11, "never closed")]
    [InlineData("totemd {\n  fencing.mode = exit\n}\n}\n", 4, 1, "'}' closes no object")]
    [InlineData("totemd {\n  control.port =\n}\n", 2, 3, "has no value")]
    [InlineData("totemd.logging.file = \"/var/log/totemd.log\n", 1, 23, "not closed")]
    [InlineData("akka.actor.x = [1, 2\n", 1, 16, "never closed")]
    [InlineData("totemd.state-dir = ${?TOTEM_STATE}\n", 1, 20, "optional substitution")]
    [InlineData("include \"other.conf\"\n", 1, 1, "include is not supported")]
    [InlineData("totemd.control.port 7405\n", 1, 1, "must be followed by")]
    public void A_syntax_error_names_file_line_and_column(string text, int line, int column, string expected)
    {
        var error = OneError(text);
        Assert.Equal(new SourcePosition("test.conf", line, column), error.Position);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void An_unknown_totemd_key_is_a_warning_with_its_line()
    {
        var result = TotemdHocon.Parse("totemd {\n  fencing { timout = 5s }\n}\n", "test.conf");
        Assert.True(result.IsValid);
        var warning = Assert.Single(result.Diagnostics);
        Assert.False(warning.IsError);
        Assert.Equal(2, warning.Position.Line);
        Assert.Contains("totemd.fencing.timout", warning.Message);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("500", 500)]
    [InlineData("10s", 10000)]
    [InlineData("10 seconds", 10000)]
    [InlineData("1.5m", 90000)]
    [InlineData("250000us", 250)]
    public void Durations_read_as_hocon_writes_them(string text, double ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), TotemdHocon.ParseDuration(text));

    [Fact]
    public void A_missing_file_is_refused()
    {
        var result = TotemdHocon.Load("/nonexistent/totemd.conf");
        Assert.False(result.IsValid);
        Assert.Contains("does not exist", Assert.Single(result.Diagnostics).Message);
    }

    [Fact]
    public async Task A_bad_hocon_file_stops_totemd_before_start_with_exit_2()
    {
        var path = Path.Combine(Path.GetTempPath(), $"totemd-bad-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(path, "totemd {\n  fencing {\n    timeout = later\n  }\n}\n");
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var options = new TotemdOptions(Path.Combine(RepoRoot(), "hocon", "local-ring.conf"), 1, null, null, CheckOnly: true) { AkkaConfigPath = path };
            var code = await new TotemdDaemon(options, launcher: null, new TableResolver(), output, error).RunAsync(CancellationToken.None);
            Assert.Equal(TotemdExitCodes.BadConfig, code);
            Assert.Contains($"{path}:3:5: error: value of key 'totemd.fencing.timeout'", error.ToString());
            Assert.Contains("configuration refused, nothing started", error.ToString());
            Assert.Empty(output.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_cluster_file_wins_over_the_hocon_and_the_hocon_over_the_reference()
    {
        // local-ring.conf sets fencing.mode/timeout (exit, 10000) and no control.bind; its crypto needs the key.
        using var key = new LocalRingKey();
        var path = key.Hocon("  fencing { mode = none, timeout = 3s }\n  control.port = 9405");
        var output = new StringWriter();
        var error = new StringWriter();
        var options = new TotemdOptions(Path.Combine(RepoRoot(), "hocon", "local-ring.conf"), 3, null, null, CheckOnly: true) { AkkaConfigPath = path };
        var code = await new TotemdDaemon(options, launcher: null, new TableResolver(), output, error).RunAsync(CancellationToken.None);
        Assert.True(code == TotemdExitCodes.Ok, error.ToString());
        Assert.Contains("control API on 127.0.0.1:9405", output.ToString());
        Assert.Contains("fencing exit after 10000 ms", output.ToString());

        var commandLine = options with { Control = new IPEndPoint(IPAddress.Parse("127.0.0.3"), 7405) };
        output.GetStringBuilder().Clear();
        Assert.Equal(TotemdExitCodes.Ok, await new TotemdDaemon(commandLine, null, new TableResolver(), output, error).RunAsync(CancellationToken.None));
        Assert.Contains("control API on 127.0.0.3:7405", output.ToString());
        Assert.Contains("crypto_cipher aes256, crypto_hash sha256", output.ToString());
    }

    [Fact]
    public void Keys_the_cluster_file_leaves_out_come_from_the_hocon()
    {
        var parsed = ClusterConfigParser.Parse("totem {\n  version: 2\n  transport: udpu\n}\nnodelist {\n  node {\n    nodeid: 1\n    ring0_addr: 127.0.0.1\n  }\n}\n",
            "c.conf", _ => null);
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Diagnostics));
        var cluster = parsed.Config!;
        var settings = Valid("totemd {\n  fencing { mode = none, timeout = 4s }\n  discovery.interval = 700ms\n  logging.level = debug\n}\n");
        var effective = TotemdDaemon.Effective(cluster, settings);
        Assert.Equal(new FencingSettings(FencingMode.None, 4000), effective.Fencing);
        Assert.Equal(700u, effective.Discovery.IntervalMs);
        Assert.Equal(((string?)null, LogEventLevel.Debug), TotemdDaemon.LoggingFor(cluster, settings));
    }

    [Fact]
    public void The_start_up_line_reads_back()
    {
        var phases = new StartupPhases(DateTimeOffset.UnixEpoch);
        phases.Mark(StartupPhases.HostStarted, DateTimeOffset.UnixEpoch.AddMilliseconds(61));
        phases.Mark(StartupPhases.ActorSystemReady, DateTimeOffset.UnixEpoch.AddMilliseconds(230.4));
        phases.Mark(StartupPhases.RingOfOneFormed, DateTimeOffset.UnixEpoch.AddMilliseconds(250));
        var line = "Dec 01 09:35:35.436 [MAIN  ] " + phases.Line();
        Assert.EndsWith("Start-up phases (ms since process start): host started 61, actor system ready 230, ring of one formed 250", line);
        var parsed = StartupPhases.Parse(line);
        Assert.Equal(230, parsed[StartupPhases.ActorSystemReady]);
        Assert.Equal(250, parsed[StartupPhases.RingOfOneFormed]);
        Assert.Equal(3, parsed.Count);
    }

    [Fact]
    public void The_start_up_phases_end_when_the_node_is_quorate_not_at_its_ring_of_one()
    {
        var phases = new StartupPhases(DateTimeOffset.UnixEpoch);
        var parser = new Serilog.Parsing.MessageTemplateParser();
        LogEvent At(double ms, string text, params LogEventProperty[] properties) =>
            new(DateTimeOffset.UnixEpoch.AddMilliseconds(ms), LogEventLevel.Information, null, parser.Parse(text), properties);
        phases.Emit(At(40, "entering GATHER state from {From}."));
        // Quorum lines before any membership are not the node's first quorate ring.
        phases.Emit(At(41, "This node is within the primary component and will provide service."));
        phases.Emit(At(42, "A new membership ({RingId}) was formed. Members joined: {Joined}", new LogEventProperty("Joined", new ScalarValue("3"))));
        Assert.True(phases.RingFormed.IsCompleted);
        Assert.False(phases.Completed.IsCompleted);
        phases.Emit(At(300, "A new membership ({RingId}) was formed. Members joined: {Joined}", new LogEventProperty("Joined", new ScalarValue("1 2 4 5"))));
        phases.Emit(At(301, "This node is within the non-primary component and will NOT provide any services."));
        Assert.False(phases.Completed.IsCompleted);
        phases.Emit(At(305, "This node is within the primary component and will provide service."));
        Assert.True(phases.Completed.IsCompleted);
        var parsed = StartupPhases.Parse(phases.Line());
        Assert.Equal(40, parsed[StartupPhases.FirstJoinSent]);
        Assert.Equal(42, parsed[StartupPhases.RingOfOneFormed]);
        Assert.Equal(305, parsed[StartupPhases.Quorate]);
        Assert.Equal(3, parsed.Count);
    }

    [Fact]
    public void The_process_start_time_is_the_kernel_s_as_Process_reads_it()
    {
        if (!OperatingSystem.IsLinux()) return; // /proc/self/stat is Linux's
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var expected = new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero);
        var actual = StartupPhases.KernelStartTime();
        Assert.NotNull(actual);
        // Both read the start in clock ticks after boot (10 ms at USER_HZ 100) against the time since boot.
        Assert.InRange((actual.Value - expected).Duration().TotalMilliseconds, 0, 50);
    }

    [Fact]
    public void The_node_s_actor_system_serializes_nothing_and_has_no_json_serializer()
    {
        var hocon = TotemdHocon.Load(null);
        using var system = Akka.Actor.ActorSystem.Create("serializers", hocon.Config!);
        Assert.IsType<LocalOnlySerializer>(system.Serialization.FindSerializerForType(typeof(object)));
        Assert.IsType<Akka.Serialization.ByteArraySerializer>(system.Serialization.FindSerializerForType(typeof(byte[])));
        Assert.Throws<NotSupportedException>(() => system.Serialization.FindSerializerForType(typeof(string)).ToBinary("x"));
    }
}
