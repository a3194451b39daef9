using System.Diagnostics;
using Totem.Host.Ringbench.LocalRing;
using Xunit.Abstractions;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// Runs a scenario on a fresh <see cref="LocalRing"/> and kills every process it started, whatever
/// happens; on failure the test output gets each node's state and the end of its log.
/// </summary>
internal static class RingScenario
{
    public static readonly int[] All = [1, 2, 3, 4, 5];

    /// <summary>Generous bound for anything a ring does on a loaded machine: forming, reforming, fencing.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(RingSpec spec, ITestOutputHelper output, Func<LocalRing, Step, Task> scenario)
    {
        await using var ring = LocalRing.Create(spec);
        var clock = Stopwatch.StartNew();
        var step = new Step(output, clock);
        output.WriteLine($"ring: {ring.RunDirectory}, totemd {ring.Program.Kind} ({ring.Program.Executable}), UDP {ring.RingPort}, control {ring.ControlPort}, effective token {ring.Timeouts.Token} ms, consensus {ring.Timeouts.Consensus} ms");
        try
        {
            await scenario(ring, step);
        }
        catch
        {
            output.WriteLine("FAILED at " + clock.Elapsed.TotalSeconds.ToString("0.0s", System.Globalization.CultureInfo.InvariantCulture));
            output.WriteLine(await ring.DescribeAsync());
            throw;
        }
    }

    /// <summary>Starts all five and waits for one quorate ring of five.</summary>
    public static async Task StartFiveAsync(LocalRing ring, Step step)
    {
        ring.StartAll();
        var took = await ring.WaitForRingAsync(All, quorate: true, TimeSpan.FromSeconds(60));
        step.Done($"cold start: 5 members, quorate, after {took.TotalMilliseconds:0} ms");
    }

    internal sealed class Step(ITestOutputHelper output, Stopwatch clock)
    {
        public void Done(string what) =>
            output.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0}s] {what}");
    }
}
