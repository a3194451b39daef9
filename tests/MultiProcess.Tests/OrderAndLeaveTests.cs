using System.Diagnostics;
using System.Text;
using Totem.Host.Control.Api;
using Totem.Host.Ringbench.LocalRing;
using Xunit.Abstractions;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// Five real totemd processes with corosync's default timing (token 3000 + 3 x 650 = 4950 ms effective):
/// one quorate ring, one total order for messages posted to every node, and a clean leave on SIGTERM.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class OrderAndLeaveTests(ITestOutputHelper output)
{
    private const int MessagesPerNode = 400;

    [Fact]
    public Task Five_nodes_form_one_quorate_ring_and_deliver_2000_messages_posted_to_all_of_them_in_one_order() =>
        RingScenario.RunAsync(new RingSpec(), output, async (ring, step) =>
        {
            await RingScenario.StartFiveAsync(ring, step);
            var statuses = await Task.WhenAll(RingScenario.All.Select(n => ring.Client(n).GetStatusAsync(CancellationToken.None)));
            foreach (var s in statuses)
            {
                Assert.Equal([1u, 2u, 3u, 4u, 5u], s.Members);
                Assert.True(s.Quorate);
                Assert.Equal((5u, 5u, 3u), (s.TotalVotes, s.ExpectedVotes, s.Quorum));
                Assert.Equal(statuses[0].RingId, s.RingId);
            }

            var posted = RingScenario.All.ToDictionary(n => n, n => HttpMessagePump.Payloads(n, MessagesPerNode, 64));
            var pumps = await Task.WhenAll(RingScenario.All.Select(n => HttpMessagePump.SendAsync(ring.Client(n), posted[n], 16, CancellationToken.None)));
            step.Done($"{5 * MessagesPerNode} messages accepted by nodes 1..5");
            var total = 5 * MessagesPerNode;
            await ring.WaitUntilAsync(async () =>
            {
                foreach (var n in RingScenario.All)
                    if (await Metrics.CounterAsync(ring, n, "totem_messages_delivered_total") < total) return false;
                return true;
            }, RingScenario.Generous, $"every node delivered {total} messages");
            step.Done($"{total} messages delivered on every node");

            var logs = await Task.WhenAll(RingScenario.All.Select(n => ring.Client(n).GetMessagesAsync(0, 10_000, CancellationToken.None)));
            var reference = logs[0].Messages;
            Assert.Equal(total, reference.Count);
            for (var i = 1; i < logs.Length; i++)
            {
                Assert.Equal(total, logs[i].Messages.Count);
                var diverge = Enumerable.Range(0, total).FirstOrDefault(k => !SameDelivery(reference[k], logs[i].Messages[k]), -1);
                Assert.True(diverge < 0, $"node {i + 1} delivered #{diverge} differently from node 1: {Show(logs[i].Messages[Math.Max(diverge, 0)])} vs {Show(reference[Math.Max(diverge, 0)])}");
            }
            var expected = posted.SelectMany(p => p.Value.Select(b => (Sender: (uint)p.Key, Payload: Encoding.UTF8.GetString(b)))).Order().ToArray();
            Assert.Equal(expected, reference.Select(m => (m.Sender, m.Payload)).Order().ToArray());
            foreach (var n in RingScenario.All)
            {
                // Requests in flight together are accepted in any order; once accepted, a node's messages keep their submission order.
                var submitted = posted[n].Zip(pumps[n - 1].SubmissionIndexes).OrderBy(p => p.Second).Select(p => Encoding.UTF8.GetString(p.First));
                Assert.Equal(submitted, reference.Where(m => m.Sender == n).Select(m => m.Payload));
            }
            step.Done("one order on all five; every message exactly once; each node's messages in its submission order");
        });

    [Fact]
    public Task A_node_stopped_with_SIGTERM_leaves_and_the_others_reform_well_before_the_token_timeout() =>
        RingScenario.RunAsync(new RingSpec(), output, async (ring, step) =>
        {
            await RingScenario.StartFiveAsync(ring, step);
            int[] survivors = [1, 2, 4, 5];
            var lossesBefore = await Task.WhenAll(survivors.Select(n => Metrics.CounterAsync(ring, n, "totem_token_losses_total")));
            var ringBefore = (await ring.Client(1).GetStatusAsync(CancellationToken.None)).RingId;

            var clock = Stopwatch.StartNew();
            ring.Terminate(3);
            await ring.WaitForRingAsync(survivors, quorate: true, RingScenario.Generous, TimeSpan.FromMilliseconds(20));
            var reform = clock.Elapsed;
            step.Done($"SIGTERM node 3 -> [1,2,4,5] on every survivor after {reform.TotalMilliseconds:0} ms (effective token {ring.Timeouts.Token} ms)");

            Assert.Equal(0, await ring.Process(3).WaitForExitAsync(TimeSpan.FromSeconds(10)));
            var after = await ring.Client(1).GetStatusAsync(CancellationToken.None);
            Assert.NotEqual(ringBefore, after.RingId);
            // The leave path, not the timeout path: no survivor's token-loss timer fired.
            var lossesAfter = await Task.WhenAll(survivors.Select(n => Metrics.CounterAsync(ring, n, "totem_token_losses_total")));
            Assert.Equal(lossesBefore, lossesAfter);
            Assert.True(reform.TotalMilliseconds < ring.Timeouts.Token / 2.0,
                $"reformed after {reform.TotalMilliseconds:0} ms, not well before the effective token of {ring.Timeouts.Token} ms");
            Assert.Contains(ring.Process(3).Lines(), l => l.Contains("Signal received: leaving the ring", StringComparison.Ordinal));
            Assert.Contains(ring.Process(3).Lines(), l => l.Contains("exiting with status 0", StringComparison.Ordinal));
        });

    private static bool SameDelivery(MessageDto a, MessageDto b) =>
        a.RingId == b.RingId && a.Seq == b.Seq && a.Sender == b.Sender && a.Payload == b.Payload;

    private static string Show(MessageDto m) => $"(ring {m.RingId.Text}, seq {m.Seq}, sender {m.Sender}, \"{m.Payload[..Math.Min(12, m.Payload.Length)]}\")";
}
