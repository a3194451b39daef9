using System.Globalization;
using Totem.Nodes.Simulator;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;
using Xunit.Abstractions;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>
/// Issue 13's second target: a crash (every link of the node gone at once) costs the same crash-to-membership time
/// over two knet links as over one. Token loss notices the silence; the link layer must not add its ping timeout to
/// it (its "no active links" only stops sending). Same seeds, 3..5 nodes, the crash at a different point of the
/// rotation per seed; the times are printed (TOTEM_CRASH_SEEDS=N for another count).
/// </summary>
public sealed class LinkCrashTimingTests(ITestOutputHelper output)
{
    [Fact]
    public void A_crash_is_noticed_as_fast_over_two_links_as_over_one()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("TOTEM_CRASH_SEEDS"), out var n) ? n : 30;
        var rows = new (int Seed, int Nodes, double One, double Two, double PingTimeout)[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var seed = i + 1;
            var nodes = 3 + seed % 3;
            var two = new SimulationOptions(nodes) { LinkNumbers = [0, 1] };
            rows[i] = (seed, nodes, CrashToMembership(seed, new SimulationOptions(nodes)), CrashToMembership(seed, two), two.Links[0].PingTimeout.TotalMilliseconds);
        });

        var one = rows.Select(r => r.One).Order().ToList();
        var twoLinks = rows.Select(r => r.Two).Order().ToList();
        var deltas = rows.Select(r => r.Two - r.One).Order().ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} seeds (3..5 nodes), crash to membership: one link min {one[0]:F1} / median {one[count / 2]:F1} / max {one[^1]:F1} ms; " +
            $"two links min {twoLinks[0]:F1} / median {twoLinks[count / 2]:F1} / max {twoLinks[^1]:F1} ms; " +
            $"two minus one: min {deltas[0]:F1} / median {deltas[count / 2]:F1} / max {deltas[^1]:F1} ms"));
        foreach (var r in rows)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {r.Seed} ({r.Nodes} nodes): one link {r.One:F1} ms, two links {r.Two:F1} ms"));
        // Were the ping timeout (token / 2) added to token loss, every two-link time would be that much later.
        Assert.All(rows, r => Assert.True(Math.Abs(r.Two - r.One) < r.PingTimeout / 4,
            string.Create(CultureInfo.InvariantCulture, $"seed {r.Seed}: one link {r.One:F1} ms, two links {r.Two:F1} ms (ping timeout {r.PingTimeout} ms)")));
    }

    /// <summary>Virtual ms from the crash of the highest node to the last survivor's configuration without it.</summary>
    private static double CrashToMembership(int seed, SimulationOptions options)
    {
        var sim = new ClusterSimulation(seed, options);
        sim.StartAll();
        Assert.NotNull(sim.RunUntilOneRing(TimeSpan.FromSeconds(60)));
        // Another point of the token's rotation for each seed.
        sim.RunFor(TimeSpan.FromMilliseconds(1000 + seed * 37 % 1000));
        var crashed = new NodeId((uint)options.NodeCount);
        var survivors = options.NodeIds.Where(id => id != crashed).ToList();
        var before = sim.Configurations.Count;
        var crashAt = sim.Now;
        sim.Crash(crashed);
        bool Formed(NodeId id) => sim.Configurations.Skip(before).Any(c => c.Node == id && c.Change.Kind == ConfigurationKind.Regular && !c.Change.Members.Contains(crashed));
        Assert.True(sim.RunUntil(() => survivors.All(Formed), TimeSpan.FromSeconds(60)), $"seed {seed}: no membership without node {crashed}");
        return survivors.Max(id => sim.Configurations.Skip(before).First(c => c.Node == id && c.Change.Kind == ConfigurationKind.Regular && !c.Change.Members.Contains(crashed)).At - crashAt).TotalMilliseconds;
    }
}
