using Totem.Host.Control;
using Totem.Host.Ringbench.Bench;
using Totem.Host.Ringbench.LocalRing;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Security;

namespace Totem.MultiProcess.Tests;

/// <summary>ringbench's crypto switch without processes: the ring file it writes and the comparison it prints.</summary>
public sealed class CryptoBenchTests
{
    [Fact]
    public void A_ring_with_crypto_runs_knet_with_the_suite_and_the_runs_key_file_and_one_without_keeps_its_transport()
    {
        var text = new RingSpec(Nodes: 3, Crypto: "aes256/sha256").Render(5405, "/run/authkey");
        Assert.Contains("transport: knet", text);
        Assert.Contains("crypto_cipher: aes256", text);
        Assert.Contains("crypto_hash: sha256", text);
        Assert.Contains("keyfile: /run/authkey", text);
        var path = Path.Combine(Path.GetTempPath(), $"ringspec-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, text);
        try
        {
            var loaded = ConfigFile.Load(path);
            Assert.True(loaded.IsValid, string.Join("; ", loaded.Diagnostics));
            Assert.Equal(new CryptoSettings(CryptoCipher.Aes256, CryptoHash.Sha256), TotemCrypto.Decide(loaded.Config!.Totem, out _));
        }
        finally
        {
            File.Delete(path);
        }

        var clear = new RingSpec(Nodes: 3, Transport: "knet").Render(5405);
        Assert.Contains("transport: knet", clear);
        Assert.DoesNotContain("crypto_", clear);
        Assert.Contains("transport: udpu", new RingSpec(Nodes: 3).Render(5405));
        Assert.Throws<ArgumentException>(() => new RingSpec(Crypto: "aes256/none").Render(5405, "/k"));
        Assert.Throws<ArgumentNullException>(() => new RingSpec(Crypto: "aes128/sha1").Render(5405));
    }

    [Fact]
    public void The_report_compares_each_workload_with_crypto_none_against_85_percent_and_the_seal_cost_against_50_us()
    {
        var spec = new RingSpec(Crypto: "aes256/sha256");
        var options = new BenchOptions(spec, 1, 100, 8, [64]);
        var timeouts = TotemTimeouts.Derive(TotemSettings.Default, 5);
        var suite = new CryptoSettings(CryptoCipher.Aes256, CryptoHash.Sha256);
        var result = new BenchResult(options, timeouts, [1000], [new KillSample(1, 9000)], [500],
            [new ThroughputSample(1, 64, 100, 100, 900, 90, 0), new ThroughputSample(5, 64, 100, 100, 800, 90, 0)], [])
        {
            CryptoBaseline = [new ThroughputSample(1, 64, 100, 100, 1000, 90, 0), new ThroughputSample(5, 64, 100, 100, 1000, 90, 0)],
            SealCosts = [new SealCostSample(suite, 64, 138, 6, 4, 5.5, 3.9), new SealCostSample(suite, 1400, 1490, 70, 9, 60, 8)],
        };
        var lines = result.Report().Split('\n');
        Assert.Contains(lines, l => l.Contains("1 sender(s) x    64 B: none     1000 msg/s, aes256/sha256      900 msg/s =", StringComparison.Ordinal) && l.Contains("90.0", StringComparison.Ordinal) && l.EndsWith("-> met", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("5 sender(s)", StringComparison.Ordinal) && l.Contains("80.0", StringComparison.Ordinal) && l.EndsWith("-> MISSED", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("seal/open of one    64 B datagram (138 B on the wire): 5.50 / 3.90 µs CPU", StringComparison.Ordinal) && l.Contains("-> met", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("1400 B datagram", StringComparison.Ordinal) && l.Contains("-> MISSED", StringComparison.Ordinal));
    }
}
