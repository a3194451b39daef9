using Totem.Protocol.Config;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;
using static Totem.Protocol.Tests.Config.ConfigTestSupport;

namespace Totem.Protocol.Tests.Config;

/// <summary>The shipped fixtures and hocon/*.conf load cleanly with the values they say.</summary>
public class ConfigFileLoadTests
{
    [Fact]
    public void Proxmox_file_from_seed_000_loads_and_runs_with_4300_ms()
    {
        var result = ClusterConfigParser.Parse(Fixture("proxmox-4node.conf"), "corosync.conf", NoEnvironment);
        Assert.True(result.IsValid, Errors(result));
        Assert.Empty(result.Warnings);
        var config = result.Config!;
        Assert.Equal("homelab-cluster", config.Totem.ClusterName);
        Assert.Equal(22UL, config.Totem.ConfigVersion);
        Assert.Equal(("knet", "passive", "ipv4-6", true), (config.Totem.Transport, config.Totem.LinkMode, config.Totem.IpVersion, config.Totem.SecAuth));
        Assert.Equal([1u, 3u, 2u, 4u], config.Nodelist.Select(n => n.NodeId!.Value.Value));
        Assert.Equal(new NodeEntry(new NodeId(3), "pve2", "192.168.100.98", 1, 13), config.Nodelist[1]);
        Assert.Equal(0u, Assert.Single(config.Totem.Interfaces).LinkNumber);
        Assert.Equal("corosync_votequorum", config.Quorum.Provider);
        Assert.Equal((LogDebug.Off, true), (config.Logging.Debug, config.Logging.ToSyslog));
        var timeouts = config.Timeouts();
        Assert.Equal((4300u, 4u), (timeouts.Token, timeouts.TokenRetransmitsBeforeLossConst));
    }

    [Fact]
    public void Tuned_large_cluster_variant_loads_with_its_inline_comments()
    {
        var result = ClusterConfigParser.Parse(Fixture("proxmox-large-tuned.conf"), "corosync.conf", NoEnvironment);
        Assert.True(result.IsValid, Errors(result));
        var config = result.Config!;
        Assert.Equal(23UL, config.Totem.ConfigVersion);
        Assert.Equal((10000u, 10u, 60u, 12000u), (config.Totem.Token, config.Totem.TokenRetransmitsBeforeLossConst, config.Totem.Join, config.Totem.Consensus));
        Assert.Equal(10, config.Nodelist.Count);
        var t = config.Timeouts();
        Assert.Equal((15200u, 1490u, 1182u, 12000u, 60u), (t.Token, t.TokenRetransmit, t.Hold, t.Consensus, t.Join));
        // Two knet links: every node has ring1_addr, each link runs corosync's default heartbeat off the effective token.
        Assert.Empty(result.Warnings);
        Assert.All(config.Nodelist, n => Assert.Equal([0u, 1u], n.LinkNumbers));
        Assert.Equal("10.20.10.2", config.Nodelist[1].AddressOf(1));
        var links = Totem.Protocol.Links.LinkSettings.For(config.Nodelist[0].LinkNumbers, config.Totem, t);
        Assert.Equal([(0u, 3800.0, 7600.0), (1u, 3800.0, 7600.0)],
            links.Select(l => (l.LinkNumber, l.PingInterval.TotalMilliseconds, l.PingTimeout.TotalMilliseconds)));
    }

    [Fact]
    public void Two_node_votequorum_example_derives_nodeids_and_wait_for_all()
    {
        var result = ClusterConfigParser.Parse(Fixture("votequorum-two-node.conf"), "corosync.conf", NoEnvironment);
        Assert.True(result.IsValid, Errors(result));
        Assert.Empty(result.Warnings);
        var config = result.Config!;
        Assert.True(config.Quorum.TwoNode);
        Assert.Null(config.Quorum.WaitForAll);
        Assert.All(config.Nodelist, n => Assert.Null(n.NodeId));
        Assert.Equal(new NodeId(0x0A00013E), NodeIdDerivation.FromIPv4Address(config.Nodelist[0].RingAddress!));
        Assert.Equal(new LoggingSettings(true, "/var/log/corosync/corosync.log", false, true, LogDebug.Off, LogTimestamp.On, false), config.Logging);
        Assert.Equal((1000u, 238u), (config.Timeouts().Token, config.Timeouts().TokenRetransmit));
    }

    [Fact]
    public void Local_ring_conf_loads_with_five_nodes_on_loopback()
    {
        var path = Path.Combine(RepoRoot(), "hocon", "local-ring.conf");
        var result = ClusterConfigParser.Parse(File.ReadAllText(path), path, NoEnvironment);
        Assert.True(result.IsValid, Errors(result));
        Assert.Empty(result.Warnings);
        var config = result.Config!;
        Assert.Equal("local-ring", config.Totem.ClusterName);
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"{i}@127.0.0.{i}"),
            config.Nodelist.Select(n => $"{n.NodeId}@{n.RingAddress}"));
        Assert.Equal(new FencingSettings(FencingMode.Exit, 10000), config.Fencing);
        Assert.Equal(ControlSettings.Default, config.Control);
        Assert.Equal(4950u, config.Timeouts().Token);
        // corosync 3's knet with Proxmox's crypto; the key's path comes from TOTEM_KEYFILE (scripts/local-ring.sh).
        Assert.Equal("knet", config.Totem.Transport);
        Assert.Equal(new CryptoSettings(CryptoCipher.Aes256, CryptoHash.Sha256), TotemCrypto.Decide(config.Totem, out _));
        Assert.Null(config.Totem.KeyFile);
        var keyed = ClusterConfigParser.Parse(File.ReadAllText(path), path, Environment(("TOTEM_KEYFILE", "/run/ring/authkey"))).Config!;
        Assert.Equal("/run/ring/authkey", keyed.Totem.KeyFile);
    }

    [Fact]
    public void Compose_conf_loads_with_defaults_when_no_variable_is_set()
    {
        var path = Path.Combine(RepoRoot(), "hocon", "compose.conf");
        var result = ClusterConfigParser.Parse(File.ReadAllText(path), path, NoEnvironment);
        Assert.True(result.IsValid, Errors(result));
        Assert.Empty(result.Warnings);
        var config = result.Config!;
        Assert.Empty(config.Nodelist);
        Assert.Equal(new DiscoverySettings("node", 5405, 2000, NodeIdSource.ReverseDnsReplica), config.Discovery);
        Assert.Equal(new FencingSettings(FencingMode.Exit, 10000), config.Fencing);
        Assert.Equal(new ControlSettings("0.0.0.0", 7405), config.Control);
        // The lab scales down without the trap of issue 19: clean leaves lower expected votes.
        Assert.Equal(QuorumSettings.Default with { AllowDownscale = true }, config.Quorum);
        Assert.Equal(TotemTimeouts.Derive(TotemSettings.Default, 5), config.Timeouts(5));
        Assert.Equal("knet", config.Totem.Transport);
        Assert.Equal(new CryptoSettings(CryptoCipher.Aes256, CryptoHash.Sha256), TotemCrypto.Decide(config.Totem, out _));
        Assert.True(config.Totem.BlockUnlistedIps);
        Assert.Null(ClusterConfigValidator.DiscoveryIdentityProblem(config));
    }

    [Fact]
    public void Compose_conf_can_opt_out_of_crypto_and_back_to_udpu_from_the_environment()
    {
        var path = Path.Combine(RepoRoot(), "hocon", "compose.conf");
        var none = ClusterConfigParser.Parse(File.ReadAllText(path), path,
            Environment(("TOTEM_CRYPTO_CIPHER", "none"), ("TOTEM_CRYPTO_HASH", "none")));
        Assert.True(none.IsValid, Errors(none));
        Assert.Equal(CryptoSettings.Off, TotemCrypto.Decide(none.Config!.Totem, out _));

        var hashOnly = ClusterConfigParser.Parse(File.ReadAllText(path), path,
            Environment(("TOTEM_CRYPTO_CIPHER", "none"), ("TOTEM_CRYPTO_HASH", "sha512")));
        Assert.Equal(new CryptoSettings(CryptoCipher.None, CryptoHash.Sha512), TotemCrypto.Decide(hashOnly.Config!.Totem, out _));

        // udpu with the file's crypto is corosync's refusal; udpu with none is the address-derived-ids setup.
        var udpu = ClusterConfigParser.Parse(File.ReadAllText(path), path, Environment(("TOTEM_TRANSPORT", "udpu")));
        Assert.Contains(udpu.Errors, e => e.Message == "crypto_cipher & crypto_hash are only valid for the Knet transport.");
        var udpuNone = ClusterConfigParser.Parse(File.ReadAllText(path), path, Environment(
            ("TOTEM_TRANSPORT", "udpu"), ("TOTEM_CRYPTO_CIPHER", "none"), ("TOTEM_CRYPTO_HASH", "none"), ("TOTEM_NODEID_SOURCE", "address")));
        Assert.True(udpuNone.IsValid, Errors(udpuNone));
        Assert.Null(ClusterConfigValidator.DiscoveryIdentityProblem(udpuNone.Config!));
    }

    [Fact]
    public void Compose_conf_takes_every_override_from_the_environment()
    {
        var path = Path.Combine(RepoRoot(), "hocon", "compose.conf");
        var env = Environment(
            ("TOTEM_CLUSTER_NAME", "lab2"), ("TOTEM_TOKEN", "1000"), ("TOTEM_TOKEN_COEFFICIENT", "0"),
            ("TOTEM_CONSENSUS", "2000"), ("TOTEM_JOIN", "60"), ("TOTEM_DNS_NAME", "totem-node"), ("TOTEM_PORT", "6000"),
            ("TOTEM_EXPECTED_VOTES", "5"), ("TOTEM_WAIT_FOR_ALL", "1"), ("TOTEM_LAST_MAN_STANDING", "yes"),
            ("TOTEM_FENCING_MODE", "none"), ("TOTEM_FENCING_TIMEOUT", "3000"), ("TOTEM_CONTROL_BIND", "127.0.0.1:9000"),
            ("TOTEM_NODEID_SOURCE", "address"), ("TOTEM_DEBUG", "on"), ("TOTEM_ALLOW_DOWNSCALE", "0"));
        var result = ClusterConfigParser.Parse(File.ReadAllText(path), path, env);
        Assert.True(result.IsValid, Errors(result));
        Assert.Empty(result.Warnings);
        var config = result.Config!;
        Assert.Equal("lab2", config.Totem.ClusterName);
        var t = config.Timeouts(5);
        Assert.Equal((1000u, 2000u, 60u, 238u), (t.Token, t.Consensus, t.Join, t.TokenRetransmit));
        Assert.Equal(new DiscoverySettings("totem-node", 6000, 2000, NodeIdSource.Address), config.Discovery);
        Assert.Equal((ushort)6000, config.Totem.Interfaces[0].McastPort);
        Assert.Equal((5u, true, true, false),
            (config.Quorum.ExpectedVotes, config.Quorum.WaitForAll, config.Quorum.LastManStanding, config.Quorum.AllowDownscale));
        Assert.Equal(new FencingSettings(FencingMode.None, 3000), config.Fencing);
        Assert.Equal(new ControlSettings("127.0.0.1", 9000), config.Control);
        Assert.Equal(LogDebug.On, config.Logging.Debug);
    }
}
