using Totem.Host.Ringbench.Whatif;
using Totem.Nodes.Control;
using Totem.Protocol.Whatif;

namespace Totem.Host.Tests.Ringbench;

public sealed class ProfileFaultsTests
{
    private static NetworkProfile Profile(string text)
    {
        var parsed = NetworkProfileParser.Parse(text, "p.profile", (string _, out string t, out string why) =>
        {
            (t, why) = ("", "no sample files here");
            return false;
        });
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Diagnostics));
        return parsed.Profile;
    }

    private static ProfileFaults Map(string text, int nodes = 5)
    {
        var faults = ProfileFaults.From(Profile(text), nodes, out var problems);
        Assert.True(faults is not null, string.Join("\n", problems));
        return faults;
    }

    [Fact]
    public void Uniform_jitter_becomes_the_nodes_delay_and_jitter_and_draws_what_the_simulator_draws()
    {
        var profile = Profile("latency 10ms\njitter uniform 4ms 40ms\nloss 2.5%");
        var faults = ProfileFaults.From(profile, 5, out _)!;
        Assert.Equal(new LinkFault(32, 18, 2.5), faults.Links);
        Assert.Equal(new Totem.Host.Control.Api.FaultRequest(null, 32, 18, 2.5), faults.Request);

        // The node holds a datagram D + (2u - 1) J for its jitter draw u; the simulator's delay is latency + the
        // profile's uniform draw for the same u: equal for every u, so the two delay distributions are one.
        foreach (var u in new[] { 0.0, 0.1, 0.25, 0.5, 0.77, 0.999999 })
        {
            var node = faults.Links.Decide(lossDraw: 0.99, jitterDraw: u);
            var simulated = profile.Latency.TotalMilliseconds + ((DelayJitter.Uniform)profile.Jitter).DrawMs(new FixedRandom(u));
            Assert.NotNull(node);
            Assert.Equal(simulated, node.Value.TotalMilliseconds, 3);
        }
        // Loss: the node drops a datagram when its draw is under the profile's probability, as the simulator's link does.
        Assert.Null(faults.Links.Decide(lossDraw: 0.024, jitterDraw: 0.5));
        Assert.NotNull(faults.Links.Decide(lossDraw: 0.026, jitterDraw: 0.5));
    }

    [Fact]
    public void A_fixed_delay_maps_without_jitter_and_stalls_are_kept_for_the_signals()
    {
        var faults = Map("latency 20ms\nstall 400ms every 20s on one\nstall 1s every 1m on node 5");
        Assert.Equal(new LinkFault(20, 0, 0), faults.Links);
        Assert.Equal([TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(1)], faults.Stalls.Select(s => s.Duration));
        Assert.Equal("every node sends with delay 20ms jitter 0ms loss 0%; stalls as SIGSTOP/SIGCONT: 400ms every 20s on one, 1000ms every 60s on node 5", faults.Describe());

        var none = Map("stall 400ms every 20s on all");
        Assert.True(none.Links.IsNone);
        Assert.StartsWith("no link fault;", none.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jitter normal 5ms 2ms", "jitter normal: a node injects uniform jitter")]
    [InlineData("latency 0.5ms", "a delay of 0.5 ms +- 0 ms; a node injects whole milliseconds")]
    [InlineData("jitter uniform 0ms 3ms", "a delay of 1.5 ms +- 1.5 ms; a node injects whole milliseconds")]
    [InlineData("jitter burst 5ms for 2s every 1m", "jitter burst (line 1): a node's injected jitter cannot be raised")]
    [InlineData("stall 1s every 1m on node 7", "stall (line 1) on node 7, but the ring has 5 nodes")]
    [InlineData("latency 61s", "delay 61000 ms is above the maximum of 60000 ms")]
    public void What_a_node_cannot_inject_is_refused_with_the_reason(string text, string reason)
    {
        Assert.Null(ProfileFaults.From(Profile(text), 5, out var problems));
        Assert.Contains(problems, p => p.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_named_at_once()
    {
        Assert.Null(ProfileFaults.From(Profile("jitter normal 5ms 2ms\njitter burst 5ms for 2s every 1m\nstall 1s every 1m on node 9"), 5, out var problems));
        Assert.Equal(3, problems.Count);
    }

    /// <summary>A Random whose every NextDouble is the given draw.</summary>
    private sealed class FixedRandom(double draw) : Random
    {
        public override double NextDouble() => draw;
    }
}
