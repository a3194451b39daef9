using Totem.Protocol.Whatif;

namespace Totem.Protocol.Tests.Whatif;

public sealed class NetworkProfileParserTests
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["fping-C.txt"] = "10.0.0.2 : 0.40 0.60 - 1.00\n10.0.0.3 : 0.20 -\n",
        ["fping-c.txt"] = """
            10.0.0.2 : [0], 64 bytes, 0.52 ms (0.52 avg, 0% loss)
            10.0.0.2 : [1], 64 bytes, 0.48 ms (0.50 avg, 0% loss)

            10.0.0.2 : xmt/rcv/%loss = 2/2/0%, min/avg/max = 0.48/0.50/0.52
            """,
        ["bad.txt"] = "0.4\nhello\n",
    };

    private static NetworkProfileParser.Result Parse(string text) => NetworkProfileParser.Parse(text, "p.profile", Read);

    private static bool Read(string path, out string text, out string problem)
    {
        problem = Files.TryGetValue(path, out var found) ? "" : "no such file";
        text = found ?? "";
        return found is not null;
    }

    [Fact]
    public void A_full_profile_is_read()
    {
        var r = Parse("""
            # seed 000's rack: 5 ms bursts
            latency 0.2ms
            jitter normal 0.05ms 0.02ms   # per datagram
            loss 0.1%
            stall 400ms every 10m on one
            stall 2s once a day on all
            stall 1.5s every 6h on node 3
            """);
        Assert.True(r.IsValid, string.Join("\n", r.Diagnostics));
        var p = r.Profile;
        Assert.Equal(TimeSpan.FromMilliseconds(0.2), p.Latency);
        Assert.Equal(new DelayJitter.Normal(0.05, 0.02), p.Jitter);
        Assert.Equal(0.001, p.LossProbability, 9);
        Assert.Equal(
        [
            new StallEvent(TimeSpan.FromMilliseconds(400), TimeSpan.FromMinutes(10), StallScope.OneNode, null, 5),
            new StallEvent(TimeSpan.FromSeconds(2), TimeSpan.FromDays(1), StallScope.AllNodes, null, 6),
            new StallEvent(TimeSpan.FromMilliseconds(1500), TimeSpan.FromHours(6), StallScope.GivenNode, 3, 7),
        ], p.Stalls);
    }

    [Fact]
    public void Every_bad_line_is_reported_with_its_number_and_the_good_ones_still_count()
    {
        var r = Parse("""
            latency 2
            jitter normal 0.05ms
            loss 120%
            stall 400ms every 10m on some
            bandwidth 1G
            loss 1%
            stall 1s every 1h on all
            latency 1ms
            latency 3ms
            """);
        Assert.Equal(
        [
            "p.profile:1: latency: '2' is not a duration with a unit (us, ms, s, m, h, d), e.g. 400ms",
            "p.profile:2: 'jitter' is 'jitter normal MEAN SD' (e.g. jitter normal 0.05ms 0.02ms), 'jitter uniform MIN MAX' (e.g. jitter uniform 0ms 40ms), 'jitter samples FILE' (fping output) or 'jitter burst EXTRA for LENGTH every PERIOD'",
            "p.profile:3: loss: '120%' is not a percentage from 0% to 100%",
            "p.profile:4: 'stall' is 'stall DURATION every PERIOD on one|all|node N' (or 'once a day' / 'once an hour' for every PERIOD)",
            "p.profile:5: unknown statement 'bandwidth': expected latency, jitter, loss or stall",
            "p.profile:9: 'latency' is given twice; the first one stands",
        ], r.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(0.01, r.Profile.LossProbability, 9);
        Assert.Equal(TimeSpan.FromMilliseconds(1), r.Profile.Latency);
        Assert.Equal(StallScope.AllNodes, Assert.Single(r.Profile.Stalls).Scope);
    }

    [Theory]
    [InlineData("fping-C.txt", new[] { 0.20, 0.30, 0.50, 0.10 })]
    [InlineData("fping-c.txt", new[] { 0.26, 0.24 })]
    public void Fping_round_trips_become_one_way_delays(string file, double[] oneWay)
    {
        var r = Parse($"jitter samples {file}");
        Assert.True(r.IsValid, string.Join("\n", r.Diagnostics));
        var sampled = Assert.IsType<DelayJitter.Sampled>(r.Profile.Jitter);
        Assert.Equal(oneWay, sampled.OneWayMs);
    }

    [Fact]
    public void Sample_file_problems_name_the_file_and_its_line()
    {
        var r = Parse("jitter samples bad.txt\njitter samples none.txt\nlatency 1ms\njitter samples fping-c.txt");
        Assert.Equal(
        [
            "p.profile:1: jitter samples: bad.txt:2: 'hello' is not an fping result nor a round-trip time in ms",
            "p.profile:2: jitter samples: none.txt: no such file",
            "p.profile: latency and 'jitter samples' both give the delay: measured samples already hold the latency; drop one",
        ], r.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Uniform_jitter_is_read_and_a_bad_one_reported_with_its_line()
    {
        var r = Parse("latency 10ms\njitter uniform 0ms 40ms");
        Assert.True(r.IsValid, string.Join("\n", r.Diagnostics));
        Assert.Equal(new DelayJitter.Uniform(0, 40), r.Profile.Jitter);

        var bad = Parse("jitter uniform 40ms 10ms\njitter uniform 1ms 2\nloss 1%");
        Assert.Equal(
        [
            "p.profile:1: jitter uniform: the maximum 10ms is below the minimum 40ms",
            "p.profile:2: jitter uniform: maximum: '2' is not a duration with a unit (us, ms, s, m, h, d), e.g. 400ms",
        ], bad.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(0.01, bad.Profile.LossProbability, 9);
    }

    [Fact]
    public void Uniform_jitter_spans_its_range_evenly()
    {
        var jitter = new DelayJitter.Uniform(5, 25);
        var random = new Random(3);
        var draws = Enumerable.Range(0, 20_000).Select(_ => jitter.DrawMs(random)).ToArray();
        Assert.All(draws, d => Assert.InRange(d, 5, 25));
        Assert.InRange(draws.Average(), 14.8, 15.2);
        // A quarter of the range holds a quarter of the draws.
        Assert.InRange(draws.Count(d => d < 10) / (double)draws.Length, 0.24, 0.26);
    }

    [Fact]
    public void Normal_jitter_is_deterministic_per_seed_never_negative_and_has_its_mean()
    {
        var profile = new NetworkProfile(TimeSpan.FromMilliseconds(1), new DelayJitter.Normal(0.5, 0.5), 0, []);
        var a = Enumerable.Range(0, 20_000).Select(_ => 0.0).ToArray();
        var random = new Random(7);
        for (var i = 0; i < a.Length; i++) a[i] = profile.DrawDelayMs(random);
        var again = new Random(7);
        Assert.Equal(a[..100], Enumerable.Range(0, 100).Select(_ => profile.DrawDelayMs(again)));
        Assert.All(a, d => Assert.True(d >= 1.0));
        // Cut at 0, normal(0.5, 0.5) has mean 0.5 + 0.5 x phi(1) / ... ~ 0.54: above the uncut 0.5, well below 0.6.
        Assert.InRange(a.Average() - 1.0, 0.52, 0.57);
    }

    [Fact]
    public void Jitter_bursts_are_read_with_their_scope_and_sit_beside_the_jitter()
    {
        var r = Parse("""
            jitter normal 0.2ms 0.1ms
            jitter burst 5ms for 2s every 1m
            jitter burst 20ms for 500ms once an hour on one
            jitter burst 1ms for 10s every 10m on node 4
            """);
        Assert.True(r.IsValid, string.Join("\n", r.Diagnostics));
        Assert.Equal(new DelayJitter.Normal(0.2, 0.1), r.Profile.Jitter);
        Assert.Equal(
        [
            new JitterBurst(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), StallScope.AllNodes, null, 2),
            new JitterBurst(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(500), TimeSpan.FromHours(1), StallScope.OneNode, null, 3),
            new JitterBurst(TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), StallScope.GivenNode, 4, 4),
        ], r.Profile.Bursts);
    }

    [Fact]
    public void Bad_burst_lines_are_reported_with_their_numbers_and_the_rest_is_read()
    {
        var r = Parse("""
            jitter burst 5ms 2s every 1m
            jitter burst 5 for 2s every 1m
            jitter burst 5ms for 2s every soon
            jitter burst 5ms for 0s every 1m
            jitter burst 5ms for 2s every 1m on some
            jitter burst 5ms for 2s every 1m
            loss 1%
            """);
        Assert.Equal(
        [
            "p.profile:1: 'jitter burst' is 'jitter burst EXTRA for LENGTH every PERIOD [on one|all|node N]' (e.g. jitter burst 5ms for 2s every 1m)",
            "p.profile:2: jitter burst: '5' is not a duration with a unit (us, ms, s, m, h, d), e.g. 400ms",
            "p.profile:3: jitter burst: every: 'soon' is not a duration with a unit (us, ms, s, m, h, d), e.g. 400ms",
            "p.profile:4: jitter burst: the extra delay, the length and the period must be above zero",
            "p.profile:5: 'jitter burst' is 'jitter burst EXTRA for LENGTH every PERIOD [on one|all|node N]' (e.g. jitter burst 5ms for 2s every 1m)",
        ], r.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(6, Assert.Single(r.Profile.Bursts).Line);
        Assert.Equal(0.01, r.Profile.LossProbability, 9);
    }

    [Fact]
    public void A_burst_adds_up_to_its_extra_delay_uniformly()
    {
        var burst = new JitterBurst(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), StallScope.AllNodes, null, 1);
        var random = new Random(3);
        var draws = Enumerable.Range(0, 10_000).Select(_ => burst.DrawMs(random)).ToArray();
        Assert.All(draws, d => Assert.InRange(d, 0, 5));
        Assert.InRange(draws.Average(), 2.4, 2.6);
    }
}
