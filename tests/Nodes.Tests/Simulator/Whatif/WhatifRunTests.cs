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

    private static WhatifOutcome Run(string profile, int minutes, int seed = 1, int nodes = 3) =>
        WhatifRun.Run(new SimulationOptions(nodes), Profile(profile), TimeSpan.FromMinutes(minutes), seed);

    [Fact]
    public void A_jittery_lossy_network_below_the_token_changes_nothing()
    {
        var o = Run("latency 0.2ms\njitter normal 0.5ms 0.3ms\nloss 1%\nstall 500ms every 20s on one", 3);
        Assert.True(o.Stalls > 3, $"{o.Stalls} stalls injected");
        Assert.Equal(0, o.MembershipChanges);
        Assert.Equal(0, o.TokenLosses);
        Assert.Equal(0, o.QuorumLosses);
        Assert.Equal(0, o.Fencings);
    }

    [Fact]
    public void The_rotations_are_the_hold_on_an_idle_ring_and_a_stall_stretches_them_by_its_length()
    {
        // 3 nodes, defaults: effective token 3650 ms, hold (token / 4.2) x 0.8 - 10 = 685 ms: the representative holds the
        // idle token that long, so each node sees it come back about every 685 ms plus three hops.
        var quiet = Run("latency 0.2ms", 2);
        Assert.InRange(quiet.Gaps.Quantile(0.5), 685, 700);
        Assert.InRange(quiet.Gaps.MaxMs, 685, 720);
        Assert.Equal(quiet.Gaps, quiet.QuietGaps);

        // A 2 s freeze of node 2 holds the token back (by up to its length) whenever it catches it.
        var stalled = Run("latency 0.2ms\nstall 2s every 20s on node 2", 3);
        Assert.InRange(stalled.Gaps.MaxMs, 1500, 2000 + 720);
        Assert.True(stalled.QuietGaps.MaxMs < 720, $"the largest gap no stall overlapped is {stalled.QuietGaps.MaxMs} ms");
        Assert.Equal(0, stalled.TokenLosses);
    }

    [Fact]
    public void Jitter_bursts_stretch_the_rotations_only_while_they_last()
    {
        var calm = Run("latency 0.2ms", 3, nodes: 5);
        var bursty = Run("latency 0.2ms\njitter burst 50ms for 5s every 30s", 3, nodes: 5);
        Assert.True(bursty.Bursts >= 2, $"{bursty.Bursts} bursts");
        // Five hops with up to 50 ms each during a burst; outside them the same rotations as the calm ring.
        Assert.InRange(bursty.Gaps.MaxMs, calm.Gaps.MaxMs + 50, calm.Gaps.MaxMs + 5 * 50);
        Assert.InRange(bursty.Gaps.Quantile(0.5), calm.Gaps.Quantile(0.5) - 1, calm.Gaps.Quantile(0.5) + 1);
        Assert.Equal(0, bursty.MembershipChanges);
    }

    [Fact]
    public void A_node_frozen_past_the_token_loses_its_token_and_quorum()
    {
        // Two nodes (no two_node): node 2 frozen 10 s, node 1 forms a ring alone (one token loss) with 1 vote of 2, no
        // quorum, until node 2 is back. (A frozen node itself cannot lose quorum: it comes back and merges.)
        var o = Run("latency 0.2ms\nstall 10s every 1m on node 2", 3, nodes: 2);
        Assert.True(o.Stalls >= 1);
        Assert.True(o.TokenLosses >= o.Stalls, $"{o.TokenLosses} token losses for {o.Stalls} stalls");
        Assert.True(o.QuorumLosses >= 1, $"{o.QuorumLosses} quorum losses for {o.Stalls} stalls");
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

    [Fact]
    public void A_burst_on_a_node_the_ring_does_not_have_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Run("jitter burst 5ms for 1s every 1m on node 9", 1));
        Assert.Contains("profile line 1: jitter burst on node 9, but the ring has 3 nodes", e.Message);
    }
}
