using Totem.Host.Ringbench.LocalRing;
using Totem.Protocol.Quorum;
using Xunit.Abstractions;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// Crashes on a ring of five real totemd processes with a short token (1000 + 3 x 650 = 2950 ms
/// effective) and fencing { mode: exit; timeout: 2000 }: one crash leaves a quorate four, two more
/// leave two nodes without quorum that fence themselves, and restarting everything brings back one
/// quorate ring of five.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class CrashFenceRestartTests(ITestOutputHelper output)
{
    private static readonly RingSpec ShortToken = new(Token: 1000, FencingMode: "exit", FencingTimeoutMs: 2000);

    [Fact]
    public Task One_crash_leaves_a_quorate_four_two_more_fence_the_last_two_and_a_restart_of_all_reforms_five() =>
        RingScenario.RunAsync(ShortToken, output, async (ring, step) =>
        {
            await RingScenario.StartFiveAsync(ring, step);

            ring.Kill(5);
            int[] four = [1, 2, 3, 4];
            var took = await ring.WaitForRingAsync(four, quorate: true, RingScenario.Generous);
            step.Done($"SIGKILL node 5 -> [1,2,3,4] quorate after {took.TotalMilliseconds:0} ms (token {ring.Timeouts.Token} + consensus {ring.Timeouts.Consensus})");
            Assert.Equal(137, await ring.Process(5).WaitForExitAsync(TimeSpan.FromSeconds(10)));
            foreach (var n in four)
            {
                var s = await ring.Client(n).GetStatusAsync(CancellationToken.None);
                Assert.Equal((4u, 5u, 3u), (s.TotalVotes, s.ExpectedVotes, s.Quorum));
                Assert.False(s.Watchdog.Armed, $"node {n} armed its watchdog though its partition is quorate");
            }
            // Quorate for longer than the fencing timeout: nobody fences.
            await Task.Delay(TimeSpan.FromMilliseconds(ShortToken.FencingTimeoutMs + 500));
            Assert.True(await ring.HasRingAsync(four, quorate: true), await ring.DescribeAsync());
            Assert.All(four, n => Assert.False(ring.Process(n).HasExited));

            ring.Kill(3);
            ring.Kill(4);
            int[] two = [1, 2];
            var sawInquorate = new HashSet<int>();
            await ring.WaitUntilAsync(async () =>
            {
                foreach (var n in two)
                    if (!ring.Process(n).HasExited && await ring.TryStatusAsync(n) is { Quorate: false, Watchdog.Armed: true } s && s.Members.SequenceEqual([1u, 2u]))
                        sawInquorate.Add(n);
                return two.All(n => ring.Process(n).HasExited);
            }, RingScenario.Generous, "nodes 1 and 2 fence themselves");
            step.Done($"SIGKILL nodes 3, 4 -> nodes 1, 2 exited (seen inquorate with the watchdog armed: {string.Join(",", sawInquorate)})");
            foreach (var n in two)
            {
                Assert.Equal(FencingWatchdog.FencedExitCode, await ring.Process(n).WaitForExitAsync(TimeSpan.FromSeconds(10)));
                Assert.Contains(ring.Process(n).Lines(), l => l.Contains("quorum not regained within 2000 ms: fencing this node", StringComparison.Ordinal));
                Assert.Contains(ring.Process(n).Lines(), l => l.Contains("exiting with status 75", StringComparison.Ordinal));
            }

            ring.StartAll();
            took = await ring.WaitForRingAsync(RingScenario.All, quorate: true, TimeSpan.FromSeconds(60));
            step.Done($"restart of all five -> 5 members, quorate after {took.TotalMilliseconds:0} ms");
        });
}
