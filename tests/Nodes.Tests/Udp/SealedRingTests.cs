using System.Net;
using System.Net.Sockets;
using System.Text;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;
using Xunit.Abstractions;

namespace Totem.Nodes.Tests.Udp;

/// <summary>Real nodes over real UDP on 127.0.0.x with sealed datagrams (aes256 + sha256, as secauth: on).</summary>
public sealed class SealedRingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(60);
    private static readonly CryptoSettings SecauthOn = new(CryptoCipher.Aes256, CryptoHash.Sha256);

    private static byte[] Key(int seed)
    {
        var key = new byte[256];
        new Random(seed).NextBytes(key);
        return key;
    }

    [Fact]
    public async Task Two_nodes_with_the_key_form_a_ring_and_a_node_with_another_key_never_joins()
    {
        var shared = Key(1);
        var other = Key(2);
        await using var ring = new UdpRing(3, crypto: i => new DatagramCrypto(SecauthOn, i == 3 ? other : shared));
        ring.StartAll();
        Assert.True(await UdpRing.WaitFor(() => ring.OneRingOf(1, 2), FormTimeout), "the two nodes with the key did not form a ring");

        long BadTags(int node) => long.Parse(ring.Node(node).GetRuntime("runtime.totem.crypto.rx_dropped_bad_tag").Single().Value);
        Assert.True(await UdpRing.WaitFor(() => BadTags(1) > 0 && BadTags(2) > 0 && BadTags(3) > 0, FormTimeout),
            $"the wrong key's datagrams were not counted: {BadTags(1)}, {BadTags(2)}, {BadTags(3)}");

        for (var i = 0; i < 50; i++)
            await ring.Node(i % 2 + 1).SubmitAsync(Encoding.UTF8.GetBytes($"sealed {i}"), CancellationToken.None);
        Assert.True(await UdpRing.WaitFor(() => ring.Node(1).Board.DeliveredCount >= 50 && ring.Node(2).Board.DeliveredCount >= 50, TimeSpan.FromSeconds(30)));
        Assert.Equal(Order(ring.Node(1), 50), Order(ring.Node(2), 50));

        // Longer than a token timeout and a consensus: node 3 has tried to join throughout and stayed alone.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.True(ring.OneRingOf(1, 2), "the ring of the two nodes with the key did not hold");
        Assert.Equal([new NodeId(3)], ring.Node(3).GetStatus().Members);
        Assert.Equal(0, ring.Node(3).Board.DeliveredCount);
        // The counts keep growing while node 3 tries: each is read after the one it is compared with.
        var badTags = BadTags(1);
        var metrics = ring.Node(1).GetMetrics();
        var dropped = long.Parse(ring.Node(1).GetRuntime("runtime.totem.crypto.rx_dropped").Single(e => e.Key == "runtime.totem.crypto.rx_dropped").Value);
        output.WriteLine($"node 1: bad tag {badTags}, {metrics.DatagramsUnauthenticated} unauthenticated, {dropped} dropped; node 3: bad tag {BadTags(3)}");
        Assert.True(metrics.DatagramsUnauthenticated >= badTags);
        Assert.True(metrics.DatagramsMalformed >= metrics.DatagramsUnauthenticated, "refused datagrams are not in totem_datagrams_malformed_total");
        Assert.True(dropped >= metrics.DatagramsUnauthenticated);
    }

    [Fact]
    public async Task An_authentic_datagram_sent_again_is_counted_as_replayed_and_clear_datagrams_as_bad_version()
    {
        var key = Key(1);
        // block_unlisted_ips off: the datagrams come from 127.0.0.9, outside the nodelist, and would be dropped
        // before the seal looks at them (UnlistedSourceTests covers that path); this test is about the seal.
        await using var ring = new UdpRing(2, crypto: _ => new DatagramCrypto(SecauthOn, key), blockUnlistedIps: false);
        ring.StartAll();
        Assert.True(await UdpRing.WaitFor(() => ring.OneRingOf(1, 2), FormTimeout), "the sealed 2-node ring did not form");
        var target = ring.Node(1).GetStatus().Link;
        var to = new IPEndPoint(IPAddress.Parse(target.LocalAddress), target.Port);

        // A key holder outside the ring (node 9) stands in for a captured datagram: authentic, then sent again.
        using var holder = new DatagramSeal(SecauthOn, key, "udp-test", new NodeId(9), bootEpoch: 1);
        var authentic = holder.Seal("not a totem message"u8, new NodeId(1));
        using var attacker = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.9"), 0));
        long Count(string reason) => long.Parse(ring.Node(1).GetRuntime("runtime.totem.crypto.rx_dropped_" + reason).Single().Value);
        var replayedBefore = Count("replayed");
        for (var i = 0; i < 3; i++) await attacker.SendAsync(authentic, to);
        // A clear Totem-looking datagram, long enough to get past the length check: refused on its first byte.
        var clear = new byte[200];
        clear[0] = 0x54;
        clear[1] = 0x6D;
        await attacker.SendAsync(clear, to);
        Assert.True(await UdpRing.WaitFor(() => Count("replayed") - replayedBefore >= 2 && Count("bad_version") >= 1, TimeSpan.FromSeconds(10)),
            $"replayed {Count("replayed")}, bad version {Count("bad_version")}");
        Assert.Equal(2, Count("replayed") - replayedBefore);
        Assert.True(ring.OneRingOf(1, 2));
    }

    [Fact]
    public async Task A_ring_without_crypto_shows_no_crypto_keys()
    {
        await using var ring = new UdpRing(1);
        ring.StartAll();
        Assert.Empty(ring.Node(1).GetRuntime("runtime.totem.crypto."));
        Assert.NotEmpty(ring.Node(1).GetRuntime("runtime.totem."));
    }

    private static List<string> Order(TotemNode node, int count) =>
        node.GetMessages(0, count).Select(m => $"{m.RingId}/{m.Seq}/{m.Sender}/{Encoding.UTF8.GetString(m.Payload.Span)}").ToList();
}
