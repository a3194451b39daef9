using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Pg;

/// <summary>
/// One send queue of the packing layer (corosync's totempg mcast_msg): the messages submitted to it wait here, and each
/// time the engine may multicast it takes the next frame, which packs as many whole messages as fit in
/// <see cref="FrameBudget"/> bytes and, when the next one does not fit, the part of it that does. A message continues in
/// the following frames, marked by fragment numbers, so a receiver reassembles it (<see cref="Assembler"/>). Frames are
/// built when the token lets the node send, not at submission, so a frame is as full as the queue allows at that moment
/// (corosync flushes its partly filled buffer when the token arrives).
/// </summary>
public sealed class Packer
{
    private readonly PgQueue _queue;
    private readonly Queue<(ValueList<byte> Message, DeliveryGuarantee Guarantee)> _pending = new();
    private readonly List<(ValueList<byte> Message, int Offset, int Length)> _pieces = new();
    /// <summary>How far the first pending message has gone out; 0 while it has not started.</summary>
    private int _offset;
    /// <summary>The fragment number of the last frame, which the next one continues (0: the next message starts fresh).</summary>
    private byte _continuation;
    private byte _lastFragment;
    private long _pendingBytes;

    public Packer(PgQueue queue, int frameBudget)
    {
        if (frameBudget <= PgLimits.PieceOverhead)
            throw new ArgumentOutOfRangeException(nameof(frameBudget), frameBudget, $"a frame needs more than {PgLimits.PieceOverhead} bytes to carry data");
        _queue = queue;
        FrameBudget = frameBudget;
    }

    /// <summary>Bytes of pieces and length entries one frame may hold.</summary>
    public int FrameBudget { get; }

    /// <summary>Messages waiting, the one partly sent included.</summary>
    public int Count => _pending.Count;

    /// <summary>Bytes of the messages waiting that have not gone out yet.</summary>
    public long PendingBytes => _pendingBytes - _offset;

    /// <summary>True while the first waiting message has gone out in part.</summary>
    public bool MidMessage => _offset > 0;

    /// <summary>Queues a message; refuses one above <see cref="PgLimits.MaxMessageBytes"/> (the engine checks first and answers the submitter).</summary>
    public void Enqueue(ValueList<byte> message, DeliveryGuarantee guarantee)
    {
        if (message.Count > PgLimits.MaxMessageBytes)
            throw new ArgumentException($"a message of {message.Count} bytes is above the limit of {PgLimits.MaxMessageBytes} bytes", nameof(message));
        _pending.Enqueue((message, guarantee));
        _pendingBytes += message.Count;
    }

    /// <summary>
    /// The next frame to multicast and the guarantee of the messages in it (a frame holds messages of one guarantee),
    /// or false when nothing waits.
    /// </summary>
    public bool TryNextFrame(out PgFrame frame, out DeliveryGuarantee guarantee)
    {
        if (_pending.Count == 0)
        {
            frame = PgFrame.Empty;
            guarantee = default;
            return false;
        }
        guarantee = _pending.Peek().Guarantee;
        var continuation = _continuation;
        byte fragmented = 0;
        var used = 0;
        _pieces.Clear();
        while (_pending.Count > 0)
        {
            var (message, messageGuarantee) = _pending.Peek();
            if (messageGuarantee != guarantee) break;
            var room = FrameBudget - used - PgLimits.PieceOverhead;
            var remaining = message.Count - _offset;
            // A piece of nothing would make a fragment without data: leave the message for the next frame.
            if (room < 0 || (room == 0 && remaining > 0)) break;
            if (remaining <= room)
            {
                _pieces.Add((message, _offset, remaining));
                used += PgLimits.PieceOverhead + remaining;
                _pending.Dequeue();
                _pendingBytes -= message.Count;
                _offset = 0;
                _continuation = 0;
                continue;
            }
            _pieces.Add((message, _offset, room));
            used += PgLimits.PieceOverhead + room;
            _offset += room;
            fragmented = NextFragmentNumber();
            _continuation = fragmented;
            break;
        }

        var lengths = new ushort[_pieces.Count];
        ValueList<byte> data;
        if (_pieces is [(var whole, 0, var wholeLength)] && wholeLength == whole.Count)
        {
            // One whole message fills the frame: the frame carries the message's own (immutable) bytes.
            lengths[0] = (ushort)wholeLength;
            data = whole;
        }
        else
        {
            var packed = new byte[used - _pieces.Count * PgLimits.PieceOverhead];
            var at = 0;
            for (var i = 0; i < _pieces.Count; i++)
            {
                var (message, offset, length) = _pieces[i];
                message.Items.AsSpan(offset, length).CopyTo(packed.AsSpan(at));
                lengths[i] = (ushort)length;
                at += length;
            }
            data = new ValueList<byte>(ImmutableCollectionsMarshal.AsImmutableArray(packed));
        }
        _pieces.Clear();
        frame = new PgFrame(_queue, fragmented, continuation, new ValueList<ushort>(ImmutableCollectionsMarshal.AsImmutableArray(lengths)), data);
        return true;
    }

    /// <summary>
    /// Starts the partly sent message over with its next frame. The node does this when a ring with new members is
    /// installed: they never saw the message's first fragments, and a message must reach every member of the
    /// configuration it is delivered in. Returns true if a message was rewound.
    /// </summary>
    public bool Restart()
    {
        var rewound = _offset > 0;
        _offset = 0;
        _continuation = 0;
        return rewound;
    }

    /// <summary>Fragment numbers run 1..255 and never 0, which means "not fragmented" (corosync's next_fragment).</summary>
    private byte NextFragmentNumber()
    {
        _lastFragment = _lastFragment == byte.MaxValue ? (byte)1 : (byte)(_lastFragment + 1);
        return _lastFragment;
    }
}
