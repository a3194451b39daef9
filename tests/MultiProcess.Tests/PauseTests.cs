using Totem.Host.Ringbench.LocalRing;
using Xunit.Abstractions;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// A real totemd stopped with SIGSTOP beyond token + consensus while the others form a ring without it, then
/// continued with SIGCONT: it reports corosync's "Process pause detected" line and the ring of five comes back.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class PauseTests(ITestOutputHelper output)
{
    private static readonly RingSpec ShortToken = new(Token: 1000);

    [Fact]
    public Task A_node_stopped_beyond_token_and_consensus_detects_its_pause_when_continued_and_rejoins() =>
        RingScenario.RunAsync(ShortToken, output, async (ring, step) =>
        {
            await RingScenario.StartFiveAsync(ring, step);

            var stopped = System.Diagnostics.Stopwatch.StartNew();
            ring.Process(5).Signal(TotemdProcess.SigStop);
            int[] four = [1, 2, 3, 4];
            var took = await ring.WaitForRingAsync(four, quorate: true, RingScenario.Generous);
            step.Done($"SIGSTOP node 5 -> [1,2,3,4] quorate after {took.TotalMilliseconds:0} ms");
            // Stopped well past half a token: a second more of joins and merge probes pile up in its socket.
            await Task.Delay(TimeSpan.FromSeconds(1));

            ring.Process(5).Signal(TotemdProcess.SigCont);
            stopped.Stop();
            took = await ring.WaitForRingAsync(RingScenario.All, quorate: true, RingScenario.Generous);
            step.Done($"SIGCONT node 5 -> 5 members, quorate after {took.TotalMilliseconds:0} ms");
            // One line per join handled before the pause timer runs again, as corosync logs them.
            var lines = ring.Process(5).Lines().Where(l => l.Contains("Process pause detected for ", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(lines);
            foreach (var line in lines) step.Done(line);
            Assert.All(lines, l => Assert.Contains("ms, flushing membership messages.", l));
            // The stop itself is among them (a loaded machine may add real stalls of its own, here and at the others):
            // its pause runs from the last pause timer before SIGSTOP, so it is at least as long as the stop.
            var longest = lines.Max(l => long.Parse(l.Split("Process pause detected for ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(longest >= stopped.ElapsedMilliseconds - 50, $"longest pause reported {longest} ms, stopped {stopped.ElapsedMilliseconds} ms");
            Assert.False(ring.Process(5).HasExited);
        });
}
