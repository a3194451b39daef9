using System.Text;
using Totem.Host.Control;
using Totem.Host.Ringbench.LocalRing;
using Xunit.Abstractions;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// Issue 16's lab story on five real totemd processes: a file written on the ring of five; three killed, the write
/// refused on the two survivors ("cluster not ready - no quorum?") while reads still work; `expected 2` (the POST that
/// `totemctl expected` sends), the write accepted; everyone back, and every node's copy the same.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class StoreLabStoryTests(ITestOutputHelper output)
{
    // No fencing: the survivors must live without quorum to show the refusal.
    private static readonly RingSpec Spec = new(Token: 1000, FencingMode: "none");

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public Task Write_kill_three_refused_expected_two_accepted_everyone_back_stores_equal() =>
        RingScenario.RunAsync(Spec, output, async (ring, step) =>
        {
            var ct = CancellationToken.None;
            await RingScenario.StartFiveAsync(ring, step);
            await ring.WaitUntilAsync(async () => (await TryPut(ring, 1, "/cluster/motd", "five nodes")) is not null, RingScenario.Generous, "the first write");
            step.Done("wrote /cluster/motd on node 1");

            ring.Kill(3);
            ring.Kill(4);
            ring.Kill(5);
            int[] two = [1, 2];
            await ring.WaitForRingAsync(two, quorate: false, RingScenario.Generous);
            step.Done("killed 3, 4, 5 -> [1,2] not quorate");
            var refused = await Assert.ThrowsAsync<ControlApiException>(() => ring.Client(2).PutStoreAsync("/cluster/motd", Utf8("two nodes"), null, ct));
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.Status);
            Assert.EndsWith("cluster not ready - no quorum?", refused.Message);
            var read = await ring.Client(2).GetStoreAsync("/cluster/motd", ct);
            Assert.False(read.Quorate);
            Assert.Equal("five nodes", Encoding.UTF8.GetString(read.Value));
            step.Done("write refused on node 2: cluster not ready - no quorum?; the read works");

            await ring.Client(1).SetExpectedVotesAsync(2, ct);
            await ring.WaitForRingAsync(two, quorate: true, RingScenario.Generous);
            string? written = null;
            await ring.WaitUntilAsync(async () => (written = await TryPut(ring, 2, "/cluster/motd", "two nodes")) is not null, RingScenario.Generous, "the write after expected 2");
            step.Done($"expected 2 -> quorate; write accepted on node 2 ({written})");

            ring.StartAll([3, 4, 5]);
            await ring.WaitForRingAsync(RingScenario.All, quorate: true, TimeSpan.FromSeconds(60));
            await ring.WaitUntilAsync(async () =>
            {
                foreach (var n in RingScenario.All)
                {
                    var entry = await ring.Client(n).GetStoreAsync("/cluster/motd", ct);
                    if (!entry.Synchronized || Encoding.UTF8.GetString(entry.Value) != "two nodes") return false;
                }
                return true;
            }, RingScenario.Generous, "every node's copy has the survivors' write");
            var versions = new HashSet<ulong>();
            foreach (var n in RingScenario.All) versions.Add((await ring.Client(n).GetStoreAsync("/cluster/motd", ct)).StoreVersion);
            Assert.Single(versions);
            step.Done($"3, 4, 5 back -> every node reads 'two nodes' at store version {versions.Single()}");
        });

    /// <summary>The write's answer, or null when refused for the moment (no quorum yet, a sync in progress).</summary>
    private static async Task<string?> TryPut(LocalRing ring, int node, string path, string value)
    {
        try
        {
            var r = await ring.Client(node).PutStoreAsync(path, Utf8(value), null, CancellationToken.None);
            return $"key version {r.Version}, store version {r.StoreVersion}";
        }
        catch (ControlApiException e) when (e.Status == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            return null;
        }
    }
}
