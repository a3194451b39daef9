using System.Globalization;
using System.Text;
using Totem.Protocol.Config;

namespace Totem.Host.Ringbench.LocalRing;

/// <summary>
/// What a local ring runs with: the node count and the few keys a test or a benchmark varies. The
/// defaults are corosync's (token 3000, token_coefficient 650) and the shipped fencing section.
/// <paramref name="Crypto"/> is crypto_cipher/crypto_hash ("aes256/sha256"), "none" for clear datagrams;
/// crypto is knet-only as in corosync 3, so a ring with crypto runs <c>transport: knet</c> with the run's authkey.
/// <paramref name="Transport"/> is the transport of a ring without crypto (a benchmark comparing the two sets knet).
/// <paramref name="Links"/> is the number of knet links (1..8): link K of node N on 127.0.K.N, every link on the
/// ring's port; more than one runs <c>transport: knet</c>, as corosync needs for redundant links.
/// </summary>
public sealed record RingSpec(
    int Nodes = 5,
    uint Token = 3000,
    uint TokenCoefficient = 650,
    string FencingMode = "exit",
    uint FencingTimeoutMs = 10000,
    string ClusterName = "ringbench",
    string Crypto = "none",
    string Transport = "udpu",
    int Links = 1)
{
    public bool Sealed => Crypto != "none";

    /// <summary>Node <paramref name="node"/>'s address on link <paramref name="link"/>: 127.0.link.node.</summary>
    public static string LinkAddress(int node, int link) => link == 0 ? LocalRing.Address(node).ToString() : $"127.0.{link}.{node}";

    /// <summary>The corosync.conf-style file for a nodelist of 127.0.0.1..N on one UDP port; <paramref name="keyFile"/> when <see cref="Sealed"/>.</summary>
    public string Render(int ringPort, string? keyFile = null)
    {
        if (Nodes is < 1 or > 254) throw new ArgumentOutOfRangeException(nameof(Nodes), Nodes, "a local ring has 1..254 nodes (127.0.0.1..127.0.0.254)");
        var c = CultureInfo.InvariantCulture;
        var crypto = "";
        if (Sealed)
        {
            var suite = TotemCrypto.ParseSuite(Crypto, out var error) ?? throw new ArgumentException($"crypto {error}", nameof(Crypto));
            if (keyFile is null) throw new ArgumentNullException(nameof(keyFile), $"crypto {Crypto} needs the ring's authkey file");
            crypto = $"\n  crypto_cipher: {TotemCrypto.Name(suite.Cipher)}\n  crypto_hash: {TotemCrypto.Name(suite.Hash)}\n  keyfile: {keyFile}";
        }
        if (Links is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(Links), Links, "a ring has 1..8 knet links");
        var text = new StringBuilder();
        var interfaces = string.Concat(Enumerable.Range(0, Links).Select(link => $"\n  interface {{\n    linknumber: {link}\n    mcastport: {ringPort}\n  }}"));
        text.AppendLine(c, $$"""
            # Written by ringbench/LocalRing for one run; every node binds 127.0.K.N:{{ringPort}} on link K.
            totem {
              version: 2
              cluster_name: {{ClusterName}}
              transport: {{(Sealed || Links > 1 ? "knet" : Transport)}}{{crypto}}
              ip_version: ipv4
              token: {{Token}}
              token_coefficient: {{TokenCoefficient}}{{interfaces}}
            }
            """);
        text.Append(NodelistAndQuorum(n => LocalRing.Address(n).ToString(), Links));
        text.AppendLine(c, $$"""
            logging {
              to_stderr: yes
              timestamp: on
            }
            fencing {
              mode: {{FencingMode}}
              timeout: {{FencingTimeoutMs}}
            }
            """);
        return text.ToString();
    }

    /// <summary>The nodelist of nodes 1..N at the given addresses and votequorum: what every ring of this spec (ours, corosync's) shares.</summary>
    /// <param name="links">Links beyond 0 get ringK_addr 127.0.K.N (<see cref="LinkAddress"/>).</param>
    public string NodelistAndQuorum(Func<int, string> address, int links = 1)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder().AppendLine("nodelist {");
        for (var n = 1; n <= Nodes; n++)
        {
            var redundant = string.Concat(Enumerable.Range(1, links - 1).Select(link => $"\n    ring{link}_addr: {LinkAddress(n, link)}"));
            text.AppendLine(c, $"  node {{\n    nodeid: {n}\n    name: node{n}\n    ring0_addr: {address(n)}{redundant}\n  }}");
        }
        text.AppendLine("}").AppendLine("quorum {").AppendLine("  provider: corosync_votequorum").AppendLine("}");
        return text.ToString();
    }
}
