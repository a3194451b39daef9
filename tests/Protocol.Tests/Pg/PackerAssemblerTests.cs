using Totem.Protocol.Pg;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Pg;

public class PackerAssemblerTests
{
    private static readonly NodeId Sender = new(1);
    private static readonly NodeId Other = new(2);
    private const int Budget = 100;

    private static ValueList<byte> Message(int length, byte seed) =>
        Enumerable.Range(0, length).Select(i => (byte)(seed + i * 31)).ToValueList();

    private static List<PgFrame> Drain(Packer packer)
    {
        var frames = new List<PgFrame>();
        while (packer.TryNextFrame(out var frame, out _)) frames.Add(frame);
        return frames;
    }

    private static List<AssembledMessage> Unpack(Assembler assembler, IEnumerable<PgFrame> frames, NodeId? source = null)
    {
        var delivered = new List<AssembledMessage>();
        foreach (var frame in frames) assembler.Unpack(source ?? Sender, frame, delivered);
        return delivered;
    }

    /// <summary>The frame's size on the wire besides the multicast: each piece and its length entry.</summary>
    private static int Used(PgFrame frame) => frame.Data.Count + frame.Lengths.Count * PgLimits.PieceOverhead;

    [Fact]
    public void Small_messages_are_packed_into_one_frame_and_come_out_whole_and_in_order()
    {
        var packer = new Packer(PgQueue.Regular, Budget);
        var messages = Enumerable.Range(0, 5).Select(i => Message(10 + i, (byte)i)).ToList();
        foreach (var m in messages) packer.Enqueue(m, DeliveryGuarantee.Agreed);

        var frame = Assert.Single(Drain(packer));
        Assert.Equal([10, 11, 12, 13, 14], frame.Lengths.Select(l => (int)l));
        Assert.Equal((0, 0), (frame.Fragmented, frame.Continuation));

        var delivered = Unpack(new Assembler(), [frame]);
        Assert.Equal(messages, delivered.Select(d => d.Payload));
        Assert.Equal([0, 1, 2, 3, 4], delivered.Select(d => d.Piece));
    }

    [Fact]
    public void A_message_that_exactly_fills_a_frame_is_not_fragmented()
    {
        var packer = new Packer(PgQueue.Regular, Budget);
        var message = Message(Budget - PgLimits.PieceOverhead, 3);
        packer.Enqueue(message, DeliveryGuarantee.Agreed);

        var frame = Assert.Single(Drain(packer));
        Assert.Equal(Budget, Used(frame));
        Assert.Equal((0, 0), (frame.Fragmented, frame.Continuation));
        Assert.Equal([message], Unpack(new Assembler(), [frame]).Select(d => d.Payload));
    }

    [Fact]
    public void One_byte_over_a_frame_takes_two_frames_and_reassembles()
    {
        var packer = new Packer(PgQueue.Regular, Budget);
        var message = Message(Budget - PgLimits.PieceOverhead + 1, 5);
        packer.Enqueue(message, DeliveryGuarantee.Agreed);

        var frames = Drain(packer);
        Assert.Equal(2, frames.Count);
        Assert.Equal(Budget, Used(frames[0]));
        Assert.NotEqual(0, frames[0].Fragmented);
        Assert.Equal(frames[0].Fragmented, frames[1].Continuation);
        Assert.Single(frames[1].Data);
        Assert.Equal(0, frames[1].Fragmented);

        var assembler = new Assembler();
        Assert.Empty(Unpack(assembler, frames.Take(1)));
        Assert.True(assembler.HasPartial(Sender));
        var delivered = Assert.Single(Unpack(assembler, frames.Skip(1)));
        Assert.Equal(message, delivered.Payload);
        Assert.False(assembler.HasPartial(Sender));
    }

    [Fact]
    public void A_zero_length_message_is_carried_and_delivered()
    {
        var packer = new Packer(PgQueue.Regular, Budget);
        packer.Enqueue(ValueList<byte>.Empty, DeliveryGuarantee.Agreed);
        packer.Enqueue(Message(3, 1), DeliveryGuarantee.Agreed);
        packer.Enqueue(ValueList<byte>.Empty, DeliveryGuarantee.Agreed);

        var frame = Assert.Single(Drain(packer));
        Assert.Equal([0, 3, 0], frame.Lengths.Select(l => (int)l));
        Assert.Equal([0, 3, 0], Unpack(new Assembler(), [frame]).Select(d => d.Payload.Count));
    }

    [Fact]
    public void A_one_MiB_message_is_fragmented_into_frames_of_the_netmtu_and_reassembled()
    {
        var budget = PgLimits.FrameBudget(1500);
        var packer = new Packer(PgQueue.Regular, budget);
        var message = Message(PgLimits.MaxMessageBytes, 9);
        packer.Enqueue(Message(20, 1), DeliveryGuarantee.Agreed);
        packer.Enqueue(message, DeliveryGuarantee.Agreed);
        packer.Enqueue(Message(20, 2), DeliveryGuarantee.Agreed);

        var frames = Drain(packer);
        Assert.All(frames, f => Assert.True(Used(f) <= budget));
        // Every multicast fits the netmtu once encoded, encapsulated by recovery and sealed under the heaviest suite.
        var largest = frames.MaxBy(Used)!;
        var inner = new McastMessage(Sender, new RingId(Sender, 4), 1, Sender, DeliveryGuarantee.Agreed, largest, null);
        var outer = new McastMessage(Sender, new RingId(Sender, 8), 1, Sender, DeliveryGuarantee.Agreed, PgFrame.Empty, inner);
        Assert.True(TotemCodec.GetEncodedSize(outer) + Totem.Protocol.Security.DatagramSeal.MaxOverheadBytes + PgLimits.IpUdpHeaderBytes <= 1500);
        Assert.InRange(frames.Count, PgLimits.MaxMessageBytes / budget + 1, PgLimits.MaxMessageBytes / (budget - 4) + 2);

        var delivered = Unpack(new Assembler(), frames);
        Assert.Equal([20, PgLimits.MaxMessageBytes, 20], delivered.Select(d => d.Payload.Count));
        Assert.Equal(message, delivered[1].Payload);
    }

    [Fact]
    public void Fragments_share_frames_with_small_messages_before_and_after()
    {
        var packer = new Packer(PgQueue.Regular, Budget);
        var all = new List<ValueList<byte>> { Message(30, 1), Message(250, 2), Message(5, 3), Message(3, 4) };
        foreach (var m in all) packer.Enqueue(m, DeliveryGuarantee.Agreed);

        var frames = Drain(packer);
        Assert.Equal(2, frames[0].Lengths.Count); // the small one and the start of the large one
        Assert.Equal(3, frames[^1].Lengths.Count); // the end of the large one and the two small ones
        Assert.Equal(all, Unpack(new Assembler(), frames).Select(d => d.Payload));
    }

    [Fact]
    public void Messages_of_different_guarantees_never_share_a_frame()
    {
        var packer = new Packer(PgQueue.Regular, Budget);
        packer.Enqueue(Message(5, 1), DeliveryGuarantee.Agreed);
        packer.Enqueue(Message(5, 2), DeliveryGuarantee.Safe);
        packer.Enqueue(Message(5, 3), DeliveryGuarantee.Safe);

        Assert.True(packer.TryNextFrame(out var first, out var firstGuarantee));
        Assert.True(packer.TryNextFrame(out var second, out var secondGuarantee));
        Assert.False(packer.TryNextFrame(out _, out _));
        Assert.Equal((1, DeliveryGuarantee.Agreed), (first.Lengths.Count, firstGuarantee));
        Assert.Equal((2, DeliveryGuarantee.Safe), (second.Lengths.Count, secondGuarantee));
    }

    [Fact]
    public void A_message_above_one_MiB_is_refused()
    {
        var packer = new Packer(PgQueue.Regular, Budget);
        var error = Assert.Throws<ArgumentException>(() => packer.Enqueue(Message(PgLimits.MaxMessageBytes + 1, 0), DeliveryGuarantee.Agreed));
        Assert.Contains($"{PgLimits.MaxMessageBytes + 1} bytes", error.Message);
        Assert.Equal(0, packer.Count);
    }

    [Fact]
    public void A_netmtu_too_small_for_a_frame_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PgLimits.FrameBudget(PgLimits.MinNetMtu - 1));

    [Fact]
    public void Each_sender_and_queue_is_assembled_apart()
    {
        var a = new Packer(PgQueue.Regular, Budget);
        var b = new Packer(PgQueue.Regular, Budget);
        var trans = new Packer(PgQueue.Trans, Budget);
        var ma = Message(250, 1);
        var mb = Message(180, 2);
        var mt = Message(150, 3);
        a.Enqueue(ma, DeliveryGuarantee.Agreed);
        b.Enqueue(mb, DeliveryGuarantee.Agreed);
        trans.Enqueue(mt, DeliveryGuarantee.Agreed);
        var fa = Drain(a);
        var fb = Drain(b);
        var ft = Drain(trans);

        // Interleaved as a ring could deliver them: sender 1's regular and trans queues, and sender 2.
        var assembler = new Assembler();
        var delivered = new List<AssembledMessage>();
        for (var i = 0; i < 3; i++)
        {
            if (i < fa.Count) assembler.Unpack(Sender, fa[i], delivered);
            if (i < ft.Count) assembler.Unpack(Sender, ft[i], delivered);
            if (i < fb.Count) assembler.Unpack(Other, fb[i], delivered);
        }
        Assert.Equal([mt, mb, ma], delivered.Select(d => d.Payload));
    }

    [Fact]
    public void Forgetting_a_sender_that_left_discards_its_partial_message()
    {
        var packer = new Packer(PgQueue.Regular, Budget);
        packer.Enqueue(Message(250, 1), DeliveryGuarantee.Agreed);
        var frames = Drain(packer);
        var assembler = new Assembler();
        Unpack(assembler, frames.Take(1));

        assembler.Forget([Sender]);

        Assert.False(assembler.HasPartial(Sender));
        Assert.Equal(1, assembler.Discarded);
        // Its remaining fragments (had they come) continue nothing: thrown away, not delivered as a message.
        Assert.Empty(Unpack(assembler, frames.Skip(1)));
    }

    [Fact]
    public void A_receiver_without_the_beginning_throws_the_message_away_and_takes_the_next()
    {
        var packer = new Packer(PgQueue.Regular, Budget);
        var next = Message(10, 7);
        packer.Enqueue(Message(250, 1), DeliveryGuarantee.Agreed);
        packer.Enqueue(next, DeliveryGuarantee.Agreed);
        var frames = Drain(packer);
        Assert.Equal(3, frames.Count);

        var joiner = new Assembler();
        var delivered = new List<AssembledMessage>();
        Assert.Equal(UnpackOutcome.ContinuationMismatch, joiner.Unpack(Sender, frames[1], delivered));
        Assert.Equal(UnpackOutcome.InOrder, joiner.Unpack(Sender, frames[2], delivered));
        var only = Assert.Single(delivered);
        Assert.Equal(next, only.Payload);
        Assert.Equal(1, only.Piece);
        Assert.Equal(1, joiner.Discarded);
    }

    [Fact]
    public void A_restarted_message_replaces_the_part_held_and_is_delivered_once()
    {
        var packer = new Packer(PgQueue.Regular, Budget);
        var message = Message(250, 4);
        packer.Enqueue(message, DeliveryGuarantee.Agreed);
        var assembler = new Assembler();
        var delivered = new List<AssembledMessage>();
        Assert.True(packer.TryNextFrame(out var first, out _));
        assembler.Unpack(Sender, first, delivered);
        Assert.True(packer.MidMessage);

        Assert.True(packer.Restart());
        var again = Drain(packer);
        Assert.Equal(0, again[0].Continuation);
        Assert.Equal(UnpackOutcome.Restarted, assembler.Unpack(Sender, again[0], delivered));
        foreach (var frame in again.Skip(1)) assembler.Unpack(Sender, frame, delivered);

        Assert.Equal([message], delivered.Select(d => d.Payload));
        Assert.Equal(1, assembler.Discarded);
        Assert.False(packer.Restart());
    }

    [Fact]
    public void Fragment_numbers_wrap_around_without_zero()
    {
        var packer = new Packer(PgQueue.Regular, Budget);
        var messages = Enumerable.Range(0, 300).Select(i => Message(Budget, (byte)i)).ToList();
        foreach (var m in messages) packer.Enqueue(m, DeliveryGuarantee.Agreed);
        var frames = Drain(packer);

        Assert.DoesNotContain(frames, f => f.Lengths.Count == 0);
        Assert.Contains(frames, f => f.Fragmented == byte.MaxValue);
        Assert.Equal(messages, Unpack(new Assembler(), frames).Select(d => d.Payload));
    }

    [Fact]
    public void Frames_round_trip_through_the_wire_codec()
    {
        var packer = new Packer(PgQueue.Trans, PgLimits.FrameBudget(1500));
        packer.Enqueue(Message(40, 1), DeliveryGuarantee.Safe);
        packer.Enqueue(Message(3000, 2), DeliveryGuarantee.Safe);
        foreach (var frame in Drain(packer))
        {
            var mcast = new McastMessage(Sender, new RingId(Sender, 4), 7, Sender, DeliveryGuarantee.Safe, frame, null);
            Assert.Equal(mcast, TotemCodec.Decode(TotemCodec.Encode(mcast)).Message);
        }
    }

    [Fact]
    public void A_frame_whose_lengths_do_not_add_up_is_refused_both_ways()
    {
        var bad = new PgFrame(PgQueue.Regular, 0, 0, ValueList.Of<ushort>(3, 4), Message(5, 1));
        var mcast = new McastMessage(Sender, new RingId(Sender, 4), 7, Sender, DeliveryGuarantee.Agreed, bad, null);
        Assert.Contains("add up to 7 bytes", Assert.Throws<ArgumentException>(() => TotemCodec.Encode(mcast)).Message);

        var good = TotemCodec.Encode(mcast with { Frame = bad with { Lengths = ValueList.Of<ushort>(1, 4) } });
        // The first length entry's low byte sits right after the frame's header and the lengths' count.
        var at = TotemCodec.HeaderSize + 12 + 4 + 4 + 1 + 3 + 4 + 1;
        good[at] = 3;
        var result = TotemCodec.Decode(good);
        Assert.Equal(DecodeError.LengthMismatch, result.Error);
        Assert.Contains("add up to 7 bytes", result.Detail);
    }
}
