using Totem.Protocol.Wire;

namespace Totem.Nodes.Control;

/// <summary>
/// The delivered application messages a node keeps for GET /v1/messages, bounded by <see cref="DeliveredLogLimits"/>:
/// every message gets the next index, the oldest are dropped first and their indexes stay taken, so a reader that
/// asks from an index already dropped starts at <see cref="FirstRetainedIndex"/> and sees what it lost. The payload is
/// kept as delivered (no copy). Not thread-safe: <see cref="NodeBoard"/> guards it.
/// </summary>
public sealed class DeliveredMessageLog(DeliveredLogLimits limits)
{
    private readonly List<DeliveredApplicationMessage> _messages = new();

    public DeliveredLogLimits Limits { get; } = limits;

    /// <summary>The index the next message gets: how many were ever delivered.</summary>
    public long NextIndex { get; private set; }

    /// <summary>The index of the oldest message still kept (= <see cref="NextIndex"/> when none is).</summary>
    public long FirstRetainedIndex { get; private set; }

    public int RetainedMessages => _messages.Count;

    /// <summary>Payload bytes of the kept messages.</summary>
    public long RetainedBytes { get; private set; }

    public void Append(RingId ringId, uint seq, NodeId sender, ReadOnlyMemory<byte> payload, DateTimeOffset deliveredAt)
    {
        _messages.Add(new DeliveredApplicationMessage(NextIndex++, ringId, seq, sender, payload, deliveredAt));
        RetainedBytes += payload.Length;
        // Trimmed once either limit is exceeded by a tenth, down to both limits: the front of the list moves once per
        // many messages, not per message, and the log holds at most 10 % more than its limits.
        if (_messages.Count - Limits.Messages <= Limits.Messages / 10 && RetainedBytes - Limits.Bytes <= Limits.Bytes / 10) return;
        var drop = 0;
        while (drop < _messages.Count && (_messages.Count - drop > Limits.Messages || RetainedBytes > Limits.Bytes))
            RetainedBytes -= _messages[drop++].Payload.Length;
        _messages.RemoveRange(0, drop);
        FirstRetainedIndex += drop;
    }

    /// <summary>The kept message with this index (from <see cref="FirstRetainedIndex"/> to below <see cref="NextIndex"/>).</summary>
    public DeliveredApplicationMessage At(long index)
    {
        if (index < FirstRetainedIndex || index >= NextIndex)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"kept are {FirstRetainedIndex} to {NextIndex - 1}");
        return _messages[(int)(index - FirstRetainedIndex)];
    }

    /// <summary>Up to <paramref name="max"/> messages from index <paramref name="from"/> on (from the oldest kept when that one is gone).</summary>
    public IReadOnlyList<DeliveredApplicationMessage> Read(long from, int max)
    {
        if (max <= 0) return [];
        var start = Math.Max(from, FirstRetainedIndex) - FirstRetainedIndex;
        if (start >= _messages.Count) return [];
        var count = (int)Math.Min(max, _messages.Count - start);
        return _messages.GetRange((int)start, count);
    }
}
