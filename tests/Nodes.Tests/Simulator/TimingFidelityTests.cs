using Totem.Nodes.Simulator;
using Totem.Protocol.Config;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>
/// Issue 4 point 4 in virtual time (deterministic, not a timed test): on an idle 5-node ring with the default
/// configuration and a zero-delay network, a crash becomes the survivors' new membership between
/// effective token - hold + consensus and effective token + consensus + 200 ms, as in corosync.
/// The full distribution is `totembench timing`.
/// </summary>
public sealed class TimingFidelityTests
{
    [Fact]
    public void A_crash_on_an_idle_5_node_ring_becomes_a_new_membership_within_corosyncs_bounds()
    {
        var settings = new TotemSettings();
        var timeouts = TotemTimeouts.Derive(settings, 5);
        var (lower, upper) = FailoverTiming.Bounds(timeouts);
        Assert.Equal((9958.0, 11090.0), (lower.TotalMilliseconds, upper.TotalMilliseconds));
        var outside = new List<string>();
        for (var seed = 1; seed <= 20; seed++)
        {
            var sample = FailoverTiming.Measure(settings, 5, seed);
            if (sample.FirstSurvivor < lower || sample.LastSurvivor > upper)
                outside.Add($"seed {seed}: node {sample.Crashed} crashed at {sample.CrashAt.TotalMilliseconds:F0} ms, survivors installed the new membership after " +
                            $"{sample.FirstSurvivor.TotalMilliseconds:F0}..{sample.LastSurvivor.TotalMilliseconds:F0} ms, bounds {lower.TotalMilliseconds:F0}..{upper.TotalMilliseconds:F0} ms");
        }
        Assert.True(outside.Count == 0, string.Join("\n", outside));
    }
}
