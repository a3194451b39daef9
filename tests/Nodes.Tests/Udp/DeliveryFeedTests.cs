using System.Text;
using Totem.Nodes.Control;

namespace Totem.Nodes.Tests.Udp;

/// <summary>Batches submitted without an Ask and the delivery feeds the client socket reads, on real nodes over UDP.</summary>
public sealed class DeliveryFeedTests
{
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Reads a feed until <paramref name="count"/> messages came, keeping every item.</summary>
    private static async Task<List<FeedItem>> ReadAsync(IDeliveryFeed feed, int count)
    {
        var items = new List<FeedItem>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (items.Count(i => i.Message is not null) < count)
        {
            if (feed.Read(items, 100) == 0) await feed.WaitAsync(cts.Token);
        }
        return items;
    }

    private static string Describe(FeedItem item) => item.Message is { } m
        ? $"{m.Index} {m.RingId}/{m.Seq} {m.Sender}: {Encoding.UTF8.GetString(m.Payload.Span)}"
        : $"configuration {item.Configuration!.RingId} [{string.Join(",", item.Configuration.Members)}]";

    [Fact]
    public async Task Batches_are_queued_whole_and_every_node_s_feed_has_them_in_the_same_order_with_the_configuration_in_place()
    {
        await using var ring = new UdpRing(3);
        ring.StartAll();
        Assert.True(await UdpRing.WaitFor(() => ring.OneRingOf(1, 2, 3), FormTimeout), "the 3-node ring did not form");
        var feeds = ring.Live.Select(n => n.OpenDeliveryFeed()).ToArray();
        var starts = feeds.Select(f => f.Next).ToArray();

        const int batches = 100, perBatch = 10;
        for (var b = 0; b < batches; b++)
        {
            var node = ring.Node(b % 2 + 1);
            var batch = Enumerable.Range(0, perBatch).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"b{b}m{i}")).ToArray();
            SubmitResult result;
            while (!(result = await node.SubmitBatchAsync(batch, CancellationToken.None)).Accepted)
            {
                Assert.Equal(SubmitRefusal.QueueFull, result.Refusal);
                await Task.Delay(5);
            }
        }
        var seen = await Task.WhenAll(feeds.Select(f => ReadAsync(f, batches * perBatch)));

        // The same messages, in the same order, at the same (ring, seq) on every node; each batch's messages together and in order.
        var orders = seen.Select(items => items.Where(i => i.Message is not null).Select(i => (i.Message!.RingId, i.Message.Seq, i.Message.Sender, Text: Encoding.UTF8.GetString(i.Message.Payload.Span))).ToList()).ToArray();
        Assert.All(orders, o => Assert.Equal(orders[0], o));
        Assert.Equal(batches * perBatch, orders[0].Select(o => o.Text).Distinct().Count());
        for (var b = 0; b < batches; b++)
        {
            var texts = orders[0].Select(o => o.Text).ToList();
            var at = texts.IndexOf($"b{b}m0");
            Assert.Equal(Enumerable.Range(0, perBatch).Select(i => $"b{b}m{i}"), texts.Skip(at).Take(perBatch));
        }
        // The feed's indexes are the node's delivery log's.
        for (var n = 0; n < feeds.Length; n++)
        {
            var node = ring.Node(n + 1);
            var logged = node.GetMessages(starts[n], batches * perBatch).Select(m => $"{m.Index} {m.RingId}/{m.Seq} {m.Sender}: {Encoding.UTF8.GetString(m.Payload.Span)}");
            Assert.Equal(logged, seen[n].Where(i => i.Message is not null).Select(Describe));
        }

        // A crash: the survivors' feeds show the new configuration after everything of the old ring, then the new ring's messages.
        var survivorFeeds = feeds.Take(2).ToArray();
        ring.Crash(3);
        Assert.True(await UdpRing.WaitFor(() => ring.OneRingOf(1, 2), FormTimeout), "the survivors did not form a ring");
        SubmitResult after;
        while (!(after = await ring.Node(1).SubmitBatchAsync([Encoding.UTF8.GetBytes("after the crash")], CancellationToken.None)).Accepted) await Task.Delay(5);
        foreach (var feed in survivorFeeds)
        {
            var items = await ReadAsync(feed, 1);
            var change = items.FindLastIndex(i => i.Configuration is { } c && c.Members.Count == 2);
            Assert.True(change >= 0, string.Join("\n", items.Select(Describe)));
            var message = items.FindIndex(i => i.Message is { } m && Encoding.UTF8.GetString(m.Payload.Span) == "after the crash");
            Assert.True(change < message, string.Join("\n", items.Select(Describe)));
            Assert.Equal(items[change].Configuration!.RingId, items[message].Message!.RingId);
        }
    }
}
