using Totem.Nodes.Simulator;
using Totem.Nodes.Simulator.Whatif;
using Totem.Protocol.Whatif;

namespace Totem.Nodes.Tests.Simulator.Whatif;

public sealed class WhatifRunTests
{
    private static NetworkProfile Profile(string text)
    {
        var parsed = NetworkProfileParser.Parse(text, "test.profile", (string _, out string t, out string p) => { t = ""; p = "no files in this test"; return false; });
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Diagnostics));
        return parsed.Profile;
    }

    private static WhatifOutcome Run(string profile, int minutes, int seed = 1) =>
        WhatifRun.Run(new SimulationOptions(3), Profile(profile), TimeSpan.FromMinutes(minutes), seed);

    [Fact]
    public void A_jittery_lossy_network_below_the_token_changes_nothing()
    {
        var o = Run("latency 0.2ms\njitter normal 0.5ms 0.3ms\nloss 1%\nstall 500ms every 20s on one", 3);
        Assert.True(o.Stalls > 3, $"{o.Stalls} stalls injected");
        Assert.Equal(0, o.MembershipChanges);
        Assert.Equal(0, o.Fencings);
    }

    [Fact]
    public void A_stall_longer_than_the_token_drops_the_node_and_it_comes_back()
    {
        // 3 nodes, corosync's defaults: effective token 3650 ms; 10 s frozen is a lost token.
        var o = Run("latency 0.2ms\nstall 10s every 1m on node 3", 3);
        Assert.True(o.Stalls >= 1, $"{o.Stalls} stalls injected");
        // Each stall: the ring without node 3, then with it again.
        Assert.True(o.MembershipChanges >= 2 * o.Stalls - 1, $"{o.MembershipChanges} changes for {o.Stalls} stalls");
        Assert.Equal(o.MembershipChanges / o.Virtual.TotalDays, o.PerDay(o.MembershipChanges));
    }

    [Fact]
    public void A_seed_gives_the_same_outcome_twice()
    {
        const string profile = "jitter normal 1ms 1ms\nloss 2%\nstall 5s every 1m on one";
        Assert.Equal(Run(profile, 2, seed: 9), Run(profile, 2, seed: 9));
    }

    [Fact]
    public void A_stall_on_a_node_the_ring_does_not_have_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Run("stall 1s every 1m on node 7", 1));
        Assert.Contains("profile line 1: stall on node 7, but the ring has 3 nodes", e.Message);
    }
}
