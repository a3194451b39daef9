namespace Totem.Protocol.Wire;

/// <summary>
/// Which of the sender's queues a frame came from (corosync keeps new_message_queue and new_message_queue_trans, and
/// totempg one assembly list for each). A receiver assembles each queue's frames apart, because the trans queue's
/// service messages overtake a message the regular queue was in the middle of while a new ring synchronizes.
/// </summary>
public enum PgQueue : byte { Regular = 0, Trans = 1 }

/// <summary>
/// What a multicast carries (corosync's totempg_mcast): whole messages packed back to back, of which the first may be
/// the rest of a message the previous frame of the same sender and queue began (<see cref="Continuation"/>) and the
/// last may go on in the next one (<see cref="Fragmented"/>). Both are fragment numbers, 1 to 255, 0 meaning no: a
/// frame continues the message whose last fragment carried the same number, which lets a receiver notice that it
/// holds no beginning for it. <see cref="Lengths"/> gives each packed piece's length; <see cref="Data"/> is the
/// pieces, back to back (their lengths add up to its length).
/// </summary>
public sealed record PgFrame(PgQueue Queue, byte Fragmented, byte Continuation, ValueList<ushort> Lengths, ValueList<byte> Data)
{
    /// <summary>The frame of a multicast that carries nothing of its own (a recovery multicast encapsulating an old one).</summary>
    public static PgFrame Empty { get; } = new(PgQueue.Regular, 0, 0, ValueList<ushort>.Empty, ValueList<byte>.Empty);

    /// <summary>A frame that holds one whole message and nothing else.</summary>
    public static PgFrame Single(ValueList<byte> message, PgQueue queue = PgQueue.Regular)
    {
        if (message.Count > ushort.MaxValue)
            throw new ArgumentException($"a frame piece has at most {ushort.MaxValue} bytes; the message has {message.Count}", nameof(message));
        return new PgFrame(queue, 0, 0, ValueList.Of((ushort)message.Count), message);
    }
}
