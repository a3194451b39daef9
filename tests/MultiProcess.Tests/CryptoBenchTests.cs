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

    private static CryptoRunSample Run(bool isSealed, int round, int senders, double perSecond, double cpuMs = 500) =>
        new(isSealed, round, new ThroughputSample(senders, 64, 1000, 1000 / perSecond * 1000, perSecond, 90, 0), cpuMs, 10, 1500, 3, 4000);

    [Fact]
    public void The_report_judges_each_row_on_the_medians_over_the_rounds_and_shows_the_paired_ratios_and_the_seal_cost()
    {
        var suite = new CryptoSettings(CryptoCipher.Aes256, CryptoHash.Sha256);
        var result = new CryptoComparisonResult("aes256/sha256", 5, 2,
        [
            Run(true, 1, 1, 950), Run(false, 1, 1, 1000), Run(false, 1, 5, 1000), Run(true, 1, 5, 800),
            Run(false, 2, 1, 1100), Run(true, 2, 1, 900), Run(true, 2, 5, 820, cpuMs: 700), Run(false, 2, 5, 1000),
        ],
        [new SealCostSample(suite, 64, 138, 6, 4, 5.5, 3.9), new SealCostSample(suite, 1400, 1490, 70, 9, 60, 8)]);

        // 1 x 64 B: medians 1050 and 925 = 88.1 %; paired 95.0 % and 81.8 %.
        Assert.Equal(925.0 / 1050, result.RatioOfMedians(1, 64), 9);
        Assert.Equal([950.0 / 1000, 900.0 / 1100], result.PairedRatios(1, 64));
        Assert.True(result.Met(1, 64));
        Assert.False(result.Met(5, 64));
        var lines = result.Report().Split('\n');
        Assert.Contains(lines, l => l.Contains("1 sender(s) x    64 B:      1050      1000         925         900     88.1 %", StringComparison.Ordinal)
            && l.Contains("88.4 %", StringComparison.Ordinal) && l.Contains("81.8 %", StringComparison.Ordinal) && l.EndsWith("-> met", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("5 sender(s) x    64 B:", StringComparison.Ordinal) && l.Contains("81.0 %", StringComparison.Ordinal) && l.EndsWith("-> MISSED", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("1 of 2 rows met the target on the medians", StringComparison.Ordinal));
        // The sealed 5-sender runs spent 500 and 700 ms of CPU on 1000 messages: median 600 µs per message.
        Assert.Contains(lines, l => l.Contains("5 sender(s) x    64 B: CPU    500.0 |    600.0 µs/msg", StringComparison.Ordinal) && l.Contains("datagrams   1.500 |   1.500", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("seal/open of one    64 B datagram (138 B on the wire): 5.50 / 3.90 µs CPU", StringComparison.Ordinal) && l.Contains("-> met", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("1400 B datagram", StringComparison.Ordinal) && l.Contains("-> MISSED", StringComparison.Ordinal));
    }
}
