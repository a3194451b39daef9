using Totem.Host.Ringbench.LocalRing;
using Xunit.Abstractions;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// Real totemd processes with two knet links, link 0 on 127.0.0.N and link 1 on 127.0.1.N (issue 13): every link its
/// own socket, the heartbeat bringing each link to each host up in knet's words.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class RedundantLinkTests(ITestOutputHelper output)
{
    private static readonly RingSpec TwoLinks = new(Nodes: 3, Token: 1000, Links: 2);
    private static readonly int[] Three = [1, 2, 3];

    [Fact]
    public Task Three_nodes_on_two_links_form_one_ring_and_bring_every_link_to_every_host_up() =>
        RingScenario.RunAsync(TwoLinks, output, async (ring, step) =>
        {
            ring.StartAll();
            var took = await ring.WaitForRingAsync(Three, quorate: true, RingScenario.Generous);
            step.Done($"3 members over two links after {took.TotalMilliseconds:0} ms");
            await ring.WaitUntilAsync(() => Task.FromResult(Three.All(n => AllLinksUp(ring, n))), RingScenario.Generous,
                "every node logs rx: host: H link: L is up for both peers on both links");
            foreach (var n in Three)
            {
                var lines = ring.Process(n).Lines();
                Assert.Contains(lines, l => l.Contains($"The network interface [{RingSpec.LinkAddress(n, 1)}] is now up.", StringComparison.Ordinal));
                Assert.Contains(lines, l => l.Contains("knet: 2 links", StringComparison.Ordinal));
                Assert.DoesNotContain(lines, l => l.Contains("only link 0 runs", StringComparison.Ordinal));
            }
        });

    private static bool AllLinksUp(LocalRing ring, int node)
    {
        var lines = ring.Process(node).Lines();
        return Three.Where(h => h != node).All(h => Enumerable.Range(0, 2).All(link =>
            lines.Any(l => l.Contains($"rx: host: {h} link: {link} is up", StringComparison.Ordinal))));
    }
}
