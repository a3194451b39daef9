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
    private static NodeLaunch Launch(string totemExtra)
    {
        var path = Path.Combine(Path.GetTempPath(), $"launcher-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, $$"""
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
            """);
        try
        {
            var loaded = ConfigFile.Load(path);
            Assert.True(loaded.IsValid, string.Join("; ", loaded.Diagnostics));
            return new NodeLaunch(loaded.Config!, new NodeId(1), new IPEndPoint(IPAddress.Loopback, 5405), new PeerTable());
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
}
