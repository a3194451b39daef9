namespace Totem.Protocol.Security;

/// <summary>
/// Replay state of one sender, as IPsec's anti-replay window (RFC 4303 3.4.3) keeps it, extended by the sender's
/// boot epoch: the highest epoch heard, the highest counter heard in it, and which of the <see cref="Size"/>
/// counters at and below that one were already accepted. A counter above the highest is fresh (datagrams are
/// reordered and lost, so gaps are normal); one at or below it is fresh only inside the window and not yet seen;
/// below the window nothing can be told apart from a replay, so it is refused. Pure: no clock, no I/O.
/// <para>
/// <see cref="Check"/> never changes the state and <see cref="Record"/> is called only for a datagram whose tag
/// was verified, so a forger (who cannot produce a tag) can never move the window, and a datagram that fails
/// later (bad padding) does not burn its counter.
/// </para>
/// </summary>
public sealed class ReplayWindow
{
    public const int DefaultSize = 1024;

    private readonly ulong[] _seen;
    private bool _started;

    public ReplayWindow(int size = DefaultSize)
    {
        if (size <= 0 || size % 64 != 0) throw new ArgumentOutOfRangeException(nameof(size), size, "the window is a positive multiple of 64 counters");
        Size = size;
        _seen = new ulong[size / 64];
    }

    public int Size { get; }

    /// <summary>The highest epoch accepted; 0 before the first datagram.</summary>
    public ulong Epoch { get; private set; }

    /// <summary>The highest counter accepted in <see cref="Epoch"/>.</summary>
    public ulong Highest { get; private set; }

    public ReplayVerdict Check(ulong epoch, ulong counter)
    {
        if (!_started || epoch > Epoch) return ReplayVerdict.Fresh;
        if (epoch < Epoch) return ReplayVerdict.OlderEpoch;
        if (counter > Highest) return ReplayVerdict.Fresh;
        if (Highest - counter >= (ulong)Size) return ReplayVerdict.BelowWindow;
        return IsSeen(counter) ? ReplayVerdict.Duplicate : ReplayVerdict.Fresh;
    }

    /// <summary>Checks and, when fresh, records the datagram as seen.</summary>
    public ReplayVerdict Accept(ulong epoch, ulong counter)
    {
        var verdict = Check(epoch, counter);
        if (verdict == ReplayVerdict.Fresh) Record(epoch, counter);
        return verdict;
    }

    /// <summary>Marks a datagram <see cref="Check"/> found fresh as seen; the caller checks first.</summary>
    public void Record(ulong epoch, ulong counter)
    {
        if (!_started || epoch > Epoch)
        {
            // A new life of the sender: nothing of the old one can be accepted any more, so its window is dropped.
            Array.Clear(_seen);
            _started = true;
            Epoch = epoch;
            Highest = counter;
        }
        else if (counter > Highest)
        {
            var advance = counter - Highest;
            if (advance >= (ulong)Size)
            {
                Array.Clear(_seen);
            }
            else
            {
                // The slots the window slides over belonged to counters now below it; they are reused for the new ones.
                for (var c = Highest + 1; c < counter; c++) Clear(c);
            }
            Highest = counter;
        }
        Mark(counter);
    }

    private bool IsSeen(ulong counter)
    {
        var slot = counter % (ulong)Size;
        return (_seen[slot / 64] & (1UL << (int)(slot % 64))) != 0;
    }

    private void Mark(ulong counter)
    {
        var slot = counter % (ulong)Size;
        _seen[slot / 64] |= 1UL << (int)(slot % 64);
    }

    private void Clear(ulong counter)
    {
        var slot = counter % (ulong)Size;
        _seen[slot / 64] &= ~(1UL << (int)(slot % 64));
    }
}
