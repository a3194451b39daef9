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
    public void Many_seeds_keep_order_and_end_in_one_ring()
    {
        var (first, last) = SeedRange(Environment.GetEnvironmentVariable("CHAOS_SEEDS") ?? "0-149");
        int[] delays = Environment.GetEnvironmentVariable("CHAOS_DELAY") is { } d ? [int.Parse(d, CultureInfo.InvariantCulture)] : [0, 1];
        var failures = new List<string>();
        var runs = 0;
        for (var seed = first; seed <= last; seed++)
        foreach (var minDelay in delays)
        {
            runs++;
            try
            {
                ChaosScenario.Run(seed, minDelay, 3);
            }
            catch (ChaosScenario.DumpedException e)
            {
                failures.Add(e.Message);
                output.WriteLine(e.Message.Split('\n')[0]);
            }
        }
        output.WriteLine($"{runs} runs, {failures.Count} failed");
        Assert.True(failures.Count == 0, $"{failures.Count} of {runs} runs failed; first:\n{failures.FirstOrDefault()}");
    }

    private static (int First, int Last) SeedRange(string text)
    {
        var parts = text.Split('-');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var first) || !int.TryParse(parts[1], out var last) || last < first)
            throw new ArgumentException($"CHAOS_SEEDS must look like 0-999, not '{text}'");
        return (first, last);
    }
}
