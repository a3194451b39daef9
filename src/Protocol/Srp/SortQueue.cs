using Totem.Protocol.Wire;

namespace Totem.Protocol.Srp;

/// <summary>
/// The messages of one ring by sequence number (corosync's sq): kept until every member has them
/// so they can be retransmitted, with a per-seq miss count that delays retransmit requests.
/// </summary>
internal sealed class SortQueue
{
    /// <summary>corosync's QUEUE_RTR_ITEMS_SIZE_MAX: how far beyond the release point a seq may be.</summary>
    public const int Capacity = 16384;

    private readonly Dictionary<uint, McastMessage> _items = new();
    private readonly Dictionary<uint, int> _missCounts = new();

    public SortQueue(uint lastReleased) => LastReleased = lastReleased;

    /// <summary>Every seq up to and including this one has been released.</summary>
    public uint LastReleased { get; private set; }

    public int Count => _items.Count;

    public bool InRange(uint seq)
    {
        var distance = SeqNo.Distance(LastReleased, seq);
        return distance >= 1 && distance < Capacity;
    }

    public bool Has(uint seq) => _items.ContainsKey(seq);

    public bool TryGet(uint seq, out McastMessage message) => _items.TryGetValue(seq, out message!);

    public void Add(uint seq, McastMessage message)
    {
        _items[seq] = message;
        _missCounts.Remove(seq);
    }

    public void Remove(uint seq)
    {
        _items.Remove(seq);
        _missCounts.Remove(seq);
    }

    /// <summary>Counts one more token visit on which this seq was missing; returns the new count.</summary>
    public int IncrementMissCount(uint seq)
    {
        _missCounts.TryGetValue(seq, out var count);
        _missCounts[seq] = ++count;
        return count;
    }

    public void ReleaseUpTo(uint seq)
    {
        var range = SeqNo.Distance(LastReleased, seq);
        for (var i = 1; i <= range; i++)
        {
            Remove(unchecked(LastReleased + (uint)i));
        }
        if (range > 0) LastReleased = seq;
    }
}
