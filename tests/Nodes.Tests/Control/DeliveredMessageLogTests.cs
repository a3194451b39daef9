using Totem.Nodes.Control;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Control;

/// <summary>GET /v1/messages' log: bounded in messages and in bytes, indexes kept across the trimming.</summary>
public sealed class DeliveredMessageLogTests
{
    private static readonly RingId Ring = new(new NodeId(1), 4);

    private static void Append(DeliveredMessageLog log, int count, int bytes)
    {
        for (var i = 0; i < count; i++) log.Append(Ring, (uint)log.NextIndex, new NodeId(2), new byte[bytes], DateTimeOffset.UnixEpoch);
    }

    [Fact]
    public void The_message_limit_keeps_the_newest_and_their_indexes()
    {
        var log = new DeliveredMessageLog(new DeliveredLogLimits(100, long.MaxValue));
        Append(log, 1000, 8);
        Assert.Equal(1000, log.NextIndex);
        Assert.InRange(log.RetainedMessages, 100, 110);
        Assert.Equal(1000 - log.RetainedMessages, log.FirstRetainedIndex);
        var all = log.Read(0, int.MaxValue);
        Assert.Equal(log.FirstRetainedIndex, all[0].Index);
        Assert.Equal(999, all[^1].Index);
        Assert.Equal(Enumerable.Range((int)log.FirstRetainedIndex, all.Count).Select(i => (long)i), all.Select(m => m.Index));
        Assert.Equal(log.RetainedMessages * 8L, log.RetainedBytes);
    }

    [Fact]
    public void The_byte_limit_bounds_large_messages_whatever_their_count()
    {
        var log = new DeliveredMessageLog(new DeliveredLogLimits(10_000, 1024 * 1024));
        Append(log, 200, 64 * 1024);
        Assert.InRange(log.RetainedBytes, 1, 1024 * 1024 + 1024 * 1024 / 10);
        Assert.Equal(log.RetainedBytes, log.Read(0, int.MaxValue).Sum(m => (long)m.Payload.Length));
        Assert.Equal(200 - log.RetainedMessages, log.FirstRetainedIndex);
    }

    [Fact]
    public void Reading_from_a_dropped_index_starts_at_the_oldest_kept_and_past_the_end_gives_nothing()
    {
        var log = new DeliveredMessageLog(new DeliveredLogLimits(10, long.MaxValue));
        Append(log, 50, 1);
        var page = log.Read(3, 4);
        Assert.Equal(4, page.Count);
        Assert.Equal(log.FirstRetainedIndex, page[0].Index);
        Assert.Empty(log.Read(50, 10));
        Assert.Empty(log.Read(0, 0));
    }

    [Fact]
    public void Limits_below_one_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeliveredLogLimits(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeliveredLogLimits(1, 0));
    }
}
