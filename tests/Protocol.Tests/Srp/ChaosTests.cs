using System.Globalization;
using Xunit.Abstractions;

namespace Totem.Protocol.Tests.Srp;

/// <summary>
/// Seeded chaos runs (see <see cref="ChaosScenario"/>). The default run covers a few hundred seeds; a big
/// local sweep takes the range from the environment, for example:
/// <code>CHAOS_SEEDS=0-1999 dotnet test tests/Protocol.Tests --filter "FullyQualifiedName~Srp.ChaosTests"</code>
/// A failing seed is printed with a dump of each node's last outputs and replays exactly with
/// CHAOS_SEEDS=N-N (add CHAOS_DELAY=0 or 1 to replay only that minimum network delay).
/// </summary>
public class ChaosTests(ITestOutputHelper output)
{
    /// <summary>The first livelock: joins re-sent with unchanged sets at zero network delay.</summary>
    [Theory]
    [InlineData(4, 1)]
    [InlineData(7, 1)]
    [InlineData(4, 0)]
    [InlineData(7, 0)]
    public void Join_storm_seeds_form_one_ring(int seed, int minDelay) => ChaosScenario.Run(seed, minDelay, 3);

    [Fact]
    public void Many_seeds_keep_order_and_end_in_one_ring() => RunSeeds(anyPartition: false, "0-99");

    [Fact]
    public void Many_seeds_with_random_partitions_keep_virtual_synchrony_and_end_in_one_ring() => RunSeeds(anyPartition: true, "0-49");

    private void RunSeeds(bool anyPartition, string defaultRange)
    {
        var (first, last) = SeedRange(Environment.GetEnvironmentVariable("CHAOS_SEEDS") ?? defaultRange);
        int[] delays = Environment.GetEnvironmentVariable("CHAOS_DELAY") is { } d ? [int.Parse(d, CultureInfo.InvariantCulture)] : [0, 1];
        var failures = new List<string>();
        var runs = 0;
        var settle = new List<long>();
        for (var seed = first; seed <= last; seed++)
        foreach (var minDelay in delays)
        {
            runs++;
            try
            {
                var settleMs = ChaosScenario.Run(seed, minDelay, 3, anyPartition).SettleMs;
                settle.Add(settleMs);
                if (settleMs > ChaosScenario.SettleBoundMs) output.WriteLine($"slow: seed {seed} delay {minDelay}: one ring after {settleMs} ms");
            }
            catch (ChaosScenario.DumpedException e)
            {
                failures.Add(e.Message);
                output.WriteLine(string.Join("\n", e.Message.Split('\n').TakeWhile(l => !l.StartsWith("====", StringComparison.Ordinal))));
            }
        }
        output.WriteLine($"{runs} runs, {failures.Count} failed, {settle.Count(ms => ms > ChaosScenario.SettleBoundMs)} slower than {ChaosScenario.SettleBoundMs} ms; faults stopped -> one ring: " +
                         (settle.Count == 0 ? "-" : $"min {settle.Min()} median {settle.Order().ElementAt(settle.Count / 2)} max {settle.Max()} ms"));
        Assert.True(failures.Count == 0, $"{failures.Count} of {runs} runs failed; first:\n{failures.FirstOrDefault()}");
        // Most runs settle within effective token + consensus (+ slack); the rest need extra consensus rounds (see SettleRoundsMax).
        var slow = settle.Count(ms => ms > ChaosScenario.SettleBoundMs);
        Assert.True(slow * 20 <= runs, $"{slow} of {runs} runs needed more than {ChaosScenario.SettleBoundMs} ms to form one ring after the faults stopped");
    }

    private static (int First, int Last) SeedRange(string text)
    {
        var parts = text.Split('-');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var first) || !int.TryParse(parts[1], out var last) || last < first)
            throw new ArgumentException($"CHAOS_SEEDS must look like 0-999, not '{text}'");
        return (first, last);
    }
}
