using System.Net.Sockets;
using System.Text;
using Totem.Client;
using Totem.Host.Ringbench.LocalRing;
using Totem.Protocol.Client;
using Xunit.Abstractions;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// Five real totemd processes, each serving its client socket: clients on three nodes send batches, a subscriber on
/// every node sees every message in one order with the same ring id and seq; a client sending garbage is dropped
/// and the others are not disturbed.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class ClientSocketTests(ITestOutputHelper output)
{
    [Fact]
    public Task Batches_sent_through_three_nodes_sockets_reach_every_node_s_subscriber_in_one_order() =>
        RingScenario.RunAsync(new RingSpec(), output, async (ring, step) =>
        {
            await RingScenario.StartFiveAsync(ring, step);
            var subscribers = new List<TotemClient>();
            foreach (var n in RingScenario.All)
            {
                var s = await TotemClient.ConnectAsync(ring.ClientSocket(n), CancellationToken.None);
                subscribers.Add(s);
                await s.SubscribeAsync(SubscribeTo.Messages, CancellationToken.None);
            }
            step.Done("a subscriber on every node");

            // Garbage on node 2's socket: an error frame, and the node goes on.
            using (var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                await raw.ConnectAsync(new UnixDomainSocketEndPoint(ring.ClientSocket(2)));
                await raw.SendAsync(new byte[] { 0, 0, 0, 3, ClientFrameCodec.Version, 0x01, 0 });
                var answer = new byte[512];
                var got = await raw.ReceiveAsync(answer, SocketFlags.None);
                var decoded = ClientFrameCodec.Decode(answer.AsMemory(4, got - 4));
                Assert.Equal(ClientErrorCode.MalformedFrame, Assert.IsType<ClientError>(decoded.Frame).Code);
            }

            const int perSender = 3000;
            var senders = new[] { 1, 2, 4 };
            var reports = await Task.WhenAll(senders.Select(async n =>
            {
                await using var client = await TotemClient.ConnectAsync(ring.ClientSocket(n), CancellationToken.None);
                return await MessagePump.RunAsync(client, new PumpOptions(perSender, 0, MaxBatchMessages: 100), i => Encoding.UTF8.GetBytes($"n{n}-{i}"), null, CancellationToken.None);
            }));
            Assert.All(reports, r => Assert.Equal(perSender, r.Accepted));
            step.Done($"{senders.Length * perSender} messages accepted through the sockets of nodes {string.Join(",", senders)}");

            var orders = await Task.WhenAll(subscribers.Select(async s =>
            {
                var seen = new List<string>();
                using var cts = new CancellationTokenSource(RingScenario.Generous);
                while (seen.Count < senders.Length * perSender)
                {
                    if (await s.Deliveries.ReadAsync(cts.Token) is DeliveredBatch batch)
                        seen.AddRange(batch.Messages.Select(m => $"{m.RingId}/{m.Seq} {m.Sender}: {Encoding.UTF8.GetString(m.Payload.Span)}"));
                }
                return seen;
            }));
            step.Done("every subscriber saw every message");
            Assert.All(orders, o => Assert.Equal(orders[0], o));
            Assert.Equal(senders.Length * perSender, orders[0].Distinct().Count());
            foreach (var n in senders)
            {
                // Every message of each sender, once (a TRY_AGAIN resend may reorder a sender's batches, never lose or repeat one).
                var mine = orders[0].Where(l => l.Contains($": n{n}-", StringComparison.Ordinal)).ToList();
                Assert.Equal(perSender, mine.Count);
            }
            foreach (var s in subscribers) await s.DisposeAsync();
        });
}
