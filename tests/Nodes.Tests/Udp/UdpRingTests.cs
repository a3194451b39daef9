using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace Totem.Nodes.Tests.Udp;

/// <summary>Five real nodes over real UDP sockets on 127.0.0.1..127.0.0.5, in one process.</summary>
public sealed class UdpRingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ten_thousand_messages_from_all_nodes_are_delivered_in_the_same_order_everywhere()
    {
        await using var ring = new UdpRing(5);
        ring.StartAll();
        Assert.True(await UdpRing.WaitFor(() => ring.OneRingOf(1, 2, 3, 4, 5), FormTimeout), "the 5-node ring did not form");

        const int total = 10_000;
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (sent < total)
        {
            var node = ring.Node(sent % 5 + 1);
            var result = await node.SubmitAsync(Encoding.UTF8.GetBytes($"msg {sent} from {node.NodeId}"), CancellationToken.None);
            if (result.Accepted) sent++;
            else await Task.Delay(5); // queue full: the ring applies back-pressure, the sender waits
        }
        Assert.True(await UdpRing.WaitFor(() => ring.Live.All(n => n.Board.DeliveredCount >= total), TimeSpan.FromSeconds(120)),
            "not every node delivered all messages: " + string.Join(", ", ring.Live.Select(n => $"{n.NodeId}={n.Board.DeliveredCount}")));
        clock.Stop();
        output.WriteLine($"{total} messages delivered on all 5 nodes in {clock.Elapsed.TotalSeconds:F2} s = {total / clock.Elapsed.TotalSeconds:F0} msg/s");

        var reference = Order(ring.Node(1), total);
        Assert.Equal(total, reference.Count);
        Assert.Equal(total, reference.Distinct().Count());
        foreach (var node in ring.Live) Assert.Equal(reference, Order(node, total));
    }

    [Fact]
    public async Task A_crashed_node_leaves_a_four_node_ring_that_keeps_order_and_it_rejoins_after_restart()
    {
        await using var ring = new UdpRing(5);
        ring.StartAll();
        Assert.True(await UdpRing.WaitFor(() => ring.OneRingOf(1, 2, 3, 4, 5), FormTimeout), "the 5-node ring did not form");

        var crashedAt = Stopwatch.StartNew();
        ring.Crash(3);
        Assert.True(await UdpRing.WaitFor(() => ring.OneRingOf(1, 2, 4, 5), FormTimeout), "the 4 survivors did not form a ring");
        output.WriteLine($"crash -> 4-node ring in {crashedAt.ElapsedMilliseconds} ms");

        for (var i = 0; i < 200; i++)
            await ring.Node(new[] { 1, 2, 4, 5 }[i % 4]).SubmitAsync(Encoding.UTF8.GetBytes($"after crash {i}"), CancellationToken.None);
        Assert.True(await UdpRing.WaitFor(() => ring.Live.All(n => n.Board.DeliveredCount >= 200), TimeSpan.FromSeconds(30)));
        var reference = Order(ring.Node(1), 200);
        foreach (var node in ring.Live) Assert.Equal(reference, Order(node, 200));

        ring.Start(3);
        Assert.True(await UdpRing.WaitFor(() => ring.OneRingOf(1, 2, 3, 4, 5), FormTimeout), "the restarted node did not rejoin a 5-node ring");
    }

    [Fact]
    public async Task A_burst_of_garbage_datagrams_is_counted_and_dropped_without_disturbing_the_ring()
    {
        // The property is that garbage is counted and dropped without reaching the protocol. With the default
        // 3.65 s token a 2-core CI machine that stalls the process, or a burst that overflows a socket's receive
        // buffer and takes the token and its retransmits with it, reforms the ring for reasons that are not the
        // garbage's (CI run at 56a7ef4: ring 1.9 -> 1.d, 300 delivered in order). A 15 s token with a 500 ms
        // retransmit keeps "the ring was not disturbed" about the garbage. The garbage comes from an unlisted
        // address and must reach the decoder, so totem.block_unlisted_ips is off here.
        await using var ring = new UdpRing(3, new Totem.Protocol.Config.TotemSettings { Token = 15_000, TokenRetransmit = 500 }, blockUnlistedIps: false);
        ring.StartAll();
        Assert.True(await UdpRing.WaitFor(() => ring.OneRingOf(1, 2, 3), FormTimeout), "the 3-node ring did not form");
        var ringBefore = ring.Node(1).GetStatus().RingId;

        using var attacker = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.0.9"), 0));
        var random = new Random(7);
        long Malformed() => ring.Live.Sum(n => n.GetMetrics().DatagramsMalformed);
        var sending = Task.Run(async () =>
        {
            var sent = 0;
            for (var i = 0; i < 5_000; i++)
            {
                // At most two batches in flight: on a loaded machine a burst faster than the nodes read overflows
                // the sockets' receive buffers and the kernel drops it before any node can count it.
                if (sent > 0 && sent % 250 == 0)
                    await UdpRing.WaitFor(() => Malformed() >= sent - 250, TimeSpan.FromSeconds(5));
                // Half are random bytes; half carry a real header (magic, version, type) so that decoding gets
                // past the header and fails in the body. Garbage only: a well-formed message from a stranger is
                // not garbage (without crypto corosync processes it too), so anything that would decode is skipped.
                var garbage = new byte[i % 2 == 0 ? random.Next(8, 20) : random.Next(0, 300)];
                random.NextBytes(garbage);
                if (i % 2 == 0) { garbage[0] = 0x54; garbage[1] = 0x6D; garbage[2] = 1; garbage[3] = (byte)(i % 8); }
                if (Totem.Protocol.Wire.TotemCodec.Decode(garbage).IsSuccess) continue;
                var target = ring.Node(i % 3 + 1).GetStatus().Link;
                await attacker.SendAsync(garbage, new System.Net.IPEndPoint(System.Net.IPAddress.Parse(target.LocalAddress), target.Port));
                sent++;
            }
        });
        for (var i = 0; i < 300; i++)
            await ring.Node(i % 3 + 1).SubmitAsync(Encoding.UTF8.GetBytes($"during garbage {i}"), CancellationToken.None);
        await sending;

        Assert.True(await UdpRing.WaitFor(() => ring.Live.All(n => n.Board.DeliveredCount >= 300), TimeSpan.FromSeconds(30)));
        var reference = Order(ring.Node(1), 300);
        foreach (var node in ring.Live) Assert.Equal(reference, Order(node, 300));
        Assert.All(ring.Live, n => Assert.Equal(ringBefore, n.GetStatus().RingId));
        var malformed = Malformed();
        output.WriteLine($"malformed datagrams counted: {malformed}");
        Assert.True(malformed > 2_500, $"only {malformed} of 5000 garbage datagrams were counted as malformed");
    }

    private static List<string> Order(TotemNode node, int count) =>
        node.GetMessages(0, count).Select(m => $"{m.RingId}/{m.Seq}/{m.Sender}/{Encoding.UTF8.GetString(m.Payload.Span)}").ToList();
}
