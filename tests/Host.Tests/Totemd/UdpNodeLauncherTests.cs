using System.Net;
using Totem.Host.Control;
using Totem.Host.Totemd;
using Totem.Nodes.Transport;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Totemd;

/// <summary>What totemd decided about crypto and unlisted sources reaches the node's transport.</summary>
public sealed class UdpNodeLauncherTests
{
    private static NodeLaunch Launch(string totemExtra) =>
        new(Load($$"""
            totem {
              version: 2
              cluster_name: t
              transport: knet
              {{totemExtra}}
            }
            nodelist {
              node {
                nodeid: 1
                ring0_addr: 127.0.0.1
              }
            }
            quorum {
              provider: corosync_votequorum
            }
            """), new NodeId(1), new IPEndPoint(IPAddress.Loopback, 5405), new PeerTable());

    private static Totem.Protocol.Config.ClusterConfig Load(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"launcher-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, text);
        try
        {
            var loaded = ConfigFile.Load(path);
            Assert.True(loaded.IsValid, string.Join("; ", loaded.Diagnostics));
            return loaded.Config!;
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Crypto_on_gives_the_node_a_seal_from_the_loaded_key()
    {
        var key = new byte[256];
        key[0] = 7;
        var launch = Launch("secauth: on") with { Crypto = new CryptoSettings(CryptoCipher.Aes256, CryptoHash.Sha256), AuthKey = key };
        var crypto = UdpNodeLauncher.OptionsFor(launch).Crypto;
        Assert.NotNull(crypto);
        Assert.Equal(new CryptoSettings(CryptoCipher.Aes256, CryptoHash.Sha256), crypto.Settings);
        Assert.True(crypto.AuthKey.Span.SequenceEqual(key));
    }

    [Fact]
    public void Crypto_off_leaves_the_datagrams_clear() =>
        Assert.Null(UdpNodeLauncher.OptionsFor(Launch("")).Crypto);

    [Theory]
    [InlineData("", true)]
    [InlineData("block_unlisted_ips: yes", true)]
    [InlineData("block_unlisted_ips: no", false)]
    public void Block_unlisted_ips_follows_the_config(string line, bool expected) =>
        Assert.Equal(expected, UdpNodeLauncher.OptionsFor(Launch(line)).BlockUnlistedIps);

    /// <summary>Issue 19: in one compose ring the token read 3000, 4950, 4950, 3650, 4950 ms by what each node's DNS saw at start.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Without_a_nodelist_every_node_sizes_the_token_by_expected_votes_whatever_its_dns_saw(int discovered)
    {
        var config = DiscoveryConfig("expected_votes: 5");
        var peers = new PeerTable();
        peers.Replace(Enumerable.Range(1, discovered).Select(i => KeyValuePair.Create(new NodeId((uint)i), new IPEndPoint(IPAddress.Parse($"172.28.0.{i + 1}"), 5405))));
        var options = UdpNodeLauncher.OptionsFor(new NodeLaunch(config, new NodeId(1), new IPEndPoint(IPAddress.Loopback, 5405), peers));
        Assert.Equal(config.Timeouts(5).Token, options.Timeouts.Token);
        Assert.Equal(3000u + 3 * 650u, options.Timeouts.Token);
        Assert.Equal(5, config.ConfiguredRingSize);
    }

    [Fact]
    public void Without_a_nodelist_or_expected_votes_the_processors_found_at_start_size_the_token()
    {
        var config = DiscoveryConfig("");
        Assert.Null(config.ConfiguredRingSize);
        var peers = new PeerTable();
        peers.Replace(Enumerable.Range(1, 4).Select(i => KeyValuePair.Create(new NodeId((uint)i), new IPEndPoint(IPAddress.Parse($"172.28.0.{i + 1}"), 5405))));
        var options = UdpNodeLauncher.OptionsFor(new NodeLaunch(config, new NodeId(1), new IPEndPoint(IPAddress.Loopback, 5405), peers));
        Assert.Equal(3000u + 2 * 650u, options.Timeouts.Token);
    }

    [Theory]
    [InlineData("udpu")]
    [InlineData("knet")]
    public void The_node_reports_the_transport_its_config_names(string transport)
    {
        var config = Load($$"""
            totem {
              version: 2
              cluster_name: t
              transport: {{transport}}
            }
            quorum {
              provider: corosync_votequorum
              expected_votes: 3
            }
            discovery {
              dns_name: node
            }
            """);
        var options = UdpNodeLauncher.OptionsFor(new NodeLaunch(config, new NodeId(1), new IPEndPoint(IPAddress.Loopback, 5405), new PeerTable()));
        Assert.Equal(transport, options.Transport);
    }

    private static Totem.Protocol.Config.ClusterConfig DiscoveryConfig(string quorumExtra) =>
        Load($$"""
            totem {
              version: 2
              cluster_name: t
              transport: udpu
            }
            quorum {
              provider: corosync_votequorum
              {{quorumExtra}}
            }
            discovery {
              dns_name: node
            }
            """);
}
