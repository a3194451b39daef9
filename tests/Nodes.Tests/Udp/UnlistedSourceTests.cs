using System.Net;
using System.Net.Sockets;
using System.Text;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;
using Xunit.Abstractions;

namespace Totem.Nodes.Tests.Udp;

/// <summary>totem.block_unlisted_ips on real sockets: a stranger on 127.0.0.9 sends well-formed forgeries.</summary>
public sealed class UnlistedSourceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Forged_datagrams_from_an_unlisted_address_are_dropped_before_decoding_and_counted_and_the_ring_is_undisturbed()
    {
        // Well-formed messages with the members' own ids: without the filter (and without crypto) each of these
        // is processed and the joins alone reform the ring. The long token keeps a stalled CI machine from
        // reforming it for other reasons (see the garbage test).
        await using var ring = new UdpRing(3, new TotemSettings { Token = 15_000, TokenRetransmit = 500 });
        ring.StartAll();
        Assert.True(await UdpRing.WaitFor(() => ring.OneRingOf(1, 2, 3), FormTimeout), "the 3-node ring did not form");
        var before = ring.Node(1).GetStatus().RingId;

        ValueList<NodeId> Nodes(params uint[] ids) => ids.Select(i => new NodeId(i)).ToValueList();
        byte[][] forgeries =
        [
            TotemCodec.Encode(new JoinMessage(new NodeId(2), before.Seq + 4, Nodes(1, 2, 3, 9), Nodes())),
            TotemCodec.Encode(new LeaveMessage(new NodeId(3), before.Seq, Nodes(1, 2), Nodes(3))),
            TotemCodec.Encode(new MergeDetect(new NodeId(9), new RingId(new NodeId(9), before.Seq + 100))),
            TotemCodec.Encode(new OrfToken(new NodeId(1), before, 1_000, 1_000, 1_000, new NodeId(0), 0, 0, false, ValueList<uint>.Empty)),
            TotemCodec.Encode(new McastMessage(new NodeId(2), before, 1, new NodeId(2), DeliveryGuarantee.Agreed,
                PgFrame.Single(Encoding.UTF8.GetBytes("forged").ToValueList()), null)),
        ];

        using var stranger = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.0.9"), 0));
        long Rejected() => ring.Live.Sum(n => n.GetMetrics().DatagramsRejectedUnlisted);
        const int total = 1_000;
        for (var i = 0; i < total; i++)
        {
            // In batches, as the garbage test: a burst faster than the nodes read overflows their receive buffers.
            if (i > 0 && i % 100 == 0) await UdpRing.WaitFor(() => Rejected() >= i - 100, TimeSpan.FromSeconds(5));
            var target = ring.Node(i % 3 + 1).GetStatus().Link;
            await stranger.SendAsync(forgeries[i % forgeries.Length], new IPEndPoint(IPAddress.Parse(target.LocalAddress), target.Port));
        }
        for (var i = 0; i < 60; i++)
            await ring.Node(i % 3 + 1).SubmitAsync(Encoding.UTF8.GetBytes($"after forgeries {i}"), CancellationToken.None);
        Assert.True(await UdpRing.WaitFor(() => ring.Live.All(n => n.Board.DeliveredCount >= 60), TimeSpan.FromSeconds(30)), "the ring stopped delivering");

        Assert.True(await UdpRing.WaitFor(() => Rejected() >= total * 9 / 10, TimeSpan.FromSeconds(10)));
        var rejected = Rejected();
        output.WriteLine($"rejected as unlisted: {rejected} of {total}");
        Assert.Equal(0, ring.Live.Sum(n => n.GetMetrics().DatagramsMalformed));
        Assert.All(ring.Live, n => Assert.Equal(before, n.GetStatus().RingId));
        Assert.True(ring.OneRingOf(1, 2, 3));
        var keys = ring.Node(1).Board.Runtime("runtime.totem.udpu.").ToDictionary(k => k.Key, k => ulong.Parse(k.Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(keys["runtime.totem.udpu.packets_rejected_unlisted"] > 0, "the runtime key does not show the drops");
        var delivered = ring.Node(1).GetMessages(0, 60).Select(m => Encoding.UTF8.GetString(m.Payload.Span)).ToList();
        Assert.DoesNotContain("forged", delivered);
    }
}
