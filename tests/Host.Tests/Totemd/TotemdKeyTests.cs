using System.Net;
using Totem.Host.Control;
using Totem.Host.Tests.Control;
using Totem.Host.Tests.Fixtures;
using Totem.Host.Totemd;
using Totem.Nodes.Control;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Totemd;

/// <summary>totemd at start: crypto on needs a usable authkey or nothing starts; crypto off is said loudly.</summary>
// Key files are guarded by Unix mode bits; the tests set them.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TotemdKeyTests : IDisposable
{
    private readonly TempKeyDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string LogFile => _dir.File("totemd.log");

    /// <summary>A two-node ring on 127.0.0.1/.2 with the given totem lines, logging to <see cref="LogFile"/>.</summary>
    private string Config(string transport, string totemExtra)
    {
        var path = _dir.File("cluster.conf");
        File.WriteAllText(path, $$"""
            totem {
              version: 2
              cluster_name: keyed
              transport: {{transport}}
            {{totemExtra}}
            }
            nodelist {
              node {
                nodeid: 1
                ring0_addr: 127.0.0.1
              }
              node {
                nodeid: 2
                ring0_addr: 127.0.0.2
              }
            }
            logging {
              to_logfile: yes
              logfile: {{LogFile}}
            }
            """);
        return path;
    }

    private static async Task<(int Code, string Out, string Err)> Run(TotemdOptions options, INodeLauncher? launcher = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await new TotemdDaemon(options, launcher, new TableResolver(), output, error).RunAsync(CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    private static TotemdOptions Check(string config) => new(config, 1, null, null, CheckOnly: true);

    [Fact]
    public async Task A_missing_keyfile_stops_totemd_with_exit_2_naming_the_file()
    {
        var key = _dir.File("authkey");
        var (code, output, error) = await Run(Check(Config("knet", $"  secauth: on\n  keyfile: {key}")));
        Assert.Equal(TotemdExitCodes.BadConfig, code);
        Assert.Contains($"crypto_cipher aes256, crypto_hash sha256 needs the cluster's key, but authkey file '{key}' does not exist", error);
        Assert.Contains("nothing started", error);
        Assert.Empty(output);
    }

    [Theory]
    [InlineData(127, UnixFileMode.UserRead, "is 127 bytes")]
    [InlineData(4097, UnixFileMode.UserRead, "is 4097 bytes")]
    [InlineData(256, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "has mode 0644")]
    public async Task A_bad_key_stops_totemd_with_exit_2_naming_the_file_and_the_fault(int bytes, UnixFileMode mode, string fault)
    {
        var key = _dir.Key(bytes, mode);
        var (code, _, error) = await Run(Check(Config("knet", $"  crypto_cipher: aes128\n  crypto_hash: sha1\n  keyfile: {key}")));
        Assert.Equal(TotemdExitCodes.BadConfig, code);
        Assert.Contains($"authkey file '{key}' {fault}", error);
    }

    [Fact]
    public async Task The_default_keyfile_comes_from_the_hocon_and_is_checked_the_same_way()
    {
        var key = _dir.Key(100, name: "default-authkey");
        var hocon = _dir.File("totemd.conf");
        await File.WriteAllTextAsync(hocon, $"totemd.keyfile = \"{key}\"\n");
        var (code, _, error) = await Run(Check(Config("knet", "  secauth: on")) with { AkkaConfigPath = hocon });
        Assert.Equal(TotemdExitCodes.BadConfig, code);
        Assert.Contains($"authkey file '{key}' is 100 bytes", error);
    }

    [Fact]
    public async Task Without_keyfile_or_hocon_corosyncs_default_path_is_the_one_read()
    {
        // /etc/corosync/authkey does not exist on a test machine; its refusal shows which path was read.
        if (File.Exists(AuthKeyFile.DefaultPath)) return;
        var (code, _, error) = await Run(Check(Config("knet", "  secauth: on")));
        Assert.Equal(TotemdExitCodes.BadConfig, code);
        Assert.Contains($"authkey file '{AuthKeyFile.DefaultPath}' does not exist", error);
    }

    [Fact]
    public async Task A_good_key_passes_check_which_shows_the_crypto_and_the_key_and_nothing_warns()
    {
        var key = _dir.Key(AuthKeyFile.DefaultBytes);
        var (code, output, error) = await Run(Check(Config("knet", $"  secauth: on\n  keyfile: {key}")));
        Assert.True(code == TotemdExitCodes.Ok, error);
        Assert.Contains($"crypto_cipher aes256, crypto_hash sha256, key {key} (256 bytes)", output);
        var log = await File.ReadAllTextAsync(LogFile);
        Assert.Contains($"[MAIN  ] Ring datagrams: crypto_cipher aes256, crypto_hash sha256, key {key} (256 bytes)", log);
        Assert.DoesNotContain("NOT authenticated", log);
    }

    [Fact]
    public async Task A_key_written_in_the_cluster_file_is_used_when_keyfile_is_not_set_and_held_to_the_same_sizes()
    {
        var config = Config("knet", $"  secauth: on\n  key: {new string('k', AuthKeyFile.MinBytes)}");
        var (code, output, error) = await Run(Check(config));
        Assert.True(code == TotemdExitCodes.Ok, error);
        Assert.Contains($"key totem.key in {config} (128 bytes)", output);

        var (shortCode, _, shortError) = await Run(Check(Config("knet", "  secauth: on\n  key: too-short")));
        Assert.Equal(TotemdExitCodes.BadConfig, shortCode);
        Assert.Contains("totem.key in ", shortError);
        Assert.Contains("key is too short: it is 9 bytes", shortError);
    }

    [Fact]
    public async Task Keyfile_wins_over_key_as_in_corosync()
    {
        var key = _dir.Key(AuthKeyFile.DefaultBytes);
        var (code, output, error) = await Run(Check(Config("knet", $"  secauth: on\n  key: too-short\n  keyfile: {key}")));
        Assert.True(code == TotemdExitCodes.Ok, error);
        Assert.Contains($"key {key} (256 bytes)", output);
    }

    [Theory]
    [InlineData("udpu", "")]
    [InlineData("knet", "  secauth: off")]
    [InlineData("knet", "  secauth: yes")]
    public async Task Crypto_off_starts_with_one_loud_warning_line(string transport, string extra)
    {
        var (code, output, error) = await Run(Check(Config(transport, extra)));
        Assert.True(code == TotemdExitCodes.Ok, error);
        Assert.Contains("crypto off (crypto_cipher none, crypto_hash none)", output);
        var warnings = (await File.ReadAllLinesAsync(LogFile)).Where(l => l.Contains("NOT authenticated", StringComparison.Ordinal)).ToList();
        Assert.Contains("[MAIN  ] warning: The ring is NOT authenticated (crypto_cipher none, crypto_hash none)", Assert.Single(warnings));
    }

    [Fact]
    public async Task The_crypto_settings_and_the_key_bytes_reach_the_node_launch()
    {
        var key = _dir.Key(512);
        var launcher = new CapturingLauncher();
        var options = new TotemdOptions(Config("knet", $"  crypto_cipher: aes192\n  crypto_hash: sha512\n  keyfile: {key}"), 1, null,
            new IPEndPoint(IPAddress.Loopback, 0), CheckOnly: false);
        var (code, _, _) = await Run(options, launcher);
        Assert.Equal(TotemdExitCodes.Failed, code);
        var launch = Assert.IsType<NodeLaunch>(launcher.Launch);
        Assert.Equal(new CryptoSettings(CryptoCipher.Aes192, CryptoHash.Sha512), launch.Crypto);
        Assert.Equal(await File.ReadAllBytesAsync(key), launch.AuthKey.ToArray());
    }

    [Fact]
    public async Task Crypto_off_launches_with_no_key()
    {
        var launcher = new CapturingLauncher();
        var options = new TotemdOptions(Config("udpu", ""), 1, null, new IPEndPoint(IPAddress.Loopback, 0), CheckOnly: false);
        await Run(options, launcher);
        var launch = Assert.IsType<NodeLaunch>(launcher.Launch);
        Assert.Same(CryptoSettings.Off, launch.Crypto);
        Assert.True(launch.AuthKey.IsEmpty);
    }

    /// <summary>Keeps what totemd asked for and fails the start, so nothing binds or runs.</summary>
    [Fact]
    public async Task Knet_with_dns_discovery_and_ids_from_addresses_exits_2_before_reading_the_key()
    {
        var path = _dir.File("discovery.conf");
        // No nodeid_source in the file: totemd's default (address) applies, and 10.0.0.1 would be id 167772161.
        File.WriteAllText(path, "totem {\n  version: 2\n  transport: knet\n  secauth: on\n}\ndiscovery {\n  dns_name: node\n}\n");
        var (code, output, error) = await Run(Check(path));
        Assert.Equal(TotemdExitCodes.BadConfig, code);
        Assert.Contains($"totemd: {path}: discovery.nodeid_source address derives node ids from IPv4 addresses", error);
        Assert.Contains("Knet requires nodeid to be less than 65536", error);
        Assert.DoesNotContain("needs the cluster's key", error);
        Assert.Empty(output);
    }

    private sealed class CapturingLauncher : INodeLauncher
    {
        public NodeLaunch? Launch { get; private set; }

        public Task<IRunningNode> StartAsync(NodeLaunch launch, Serilog.ILogger log, CancellationToken cancellationToken)
        {
            Launch = launch;
            throw new InvalidOperationException("captured by the test; not started");
        }

        public Task<Akka.Actor.ActorSystem>? CreateSystemAhead(NodeId localNode, Akka.Configuration.Config? akkaConfig, Serilog.ILogger akkaLog) => null;
    }
}
