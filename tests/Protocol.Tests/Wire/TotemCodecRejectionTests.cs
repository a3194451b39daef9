using System.Buffers.Binary;
using Totem.Protocol.Wire;
using static Totem.Protocol.Tests.Wire.MessageSamples;

namespace Totem.Protocol.Tests.Wire;

public class TotemCodecRejectionTests
{
    private static DecodeResult AssertRejected(byte[] datagram, DecodeError expected, params string[] expectedInDetail)
    {
        var result = TotemCodec.Decode(datagram);
        Assert.False(result.IsSuccess, $"decoded as {result.Message}");
        Assert.Equal(expected, result.Error);
        foreach (var text in expectedInDetail) Assert.Contains(text, result.Detail);
        return result;
    }

    private static byte[] Patch32(TotemMessage message, int offset, uint value)
    {
        var bytes = TotemCodec.Encode(message);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), value);
        return bytes;
    }

    private static byte[] Patch8(TotemMessage message, int offset, byte value)
    {
        var bytes = TotemCodec.Encode(message);
        bytes[offset] = value;
        return bytes;
    }

    private static readonly JoinMessage EmptyJoin = new(Node(1), 4, ValueList<NodeId>.Empty, ValueList<NodeId>.Empty);
    private const int JoinProcCountOffset = TotemCodec.HeaderSize + 8;

    public static TheoryData<string, byte[]> ValidPackets()
    {
        var data = new TheoryData<string, byte[]>();
        var rng = new Random(99);
        foreach (var m in Minimal()) data.Add($"minimal {m.GetType().Name}", TotemCodec.Encode(m));
        for (var i = 0; i < 30; i++)
        {
            var m = MessageSamples.Random(rng);
            data.Add($"random #{i} {m.GetType().Name}", TotemCodec.Encode(m));
        }
        var members = Enumerable.Range(1, 5).Select(n => new CommitMember(Node((uint)n), Ring(1, 8), 3, 4, true)).ToValueList();
        data.Add("commit token", TotemCodec.Encode(new CommitToken(Node(1), Ring(1, 12), 2, 3, members)));
        var inner = new McastMessage(Node(2), Ring(1, 8), 40, Node(3), DeliveryGuarantee.Safe, PgFrame.Single(Payload(33, 1)), null);
        data.Add("encapsulated mcast", TotemCodec.Encode(new McastMessage(Node(1), Ring(1, 12), 2, Node(1), DeliveryGuarantee.Agreed, PgFrame.Empty, inner)));
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidPackets))]
    public void Every_truncation_of_a_valid_packet_is_rejected(string name, byte[] packet)
    {
        Assert.True(TotemCodec.Decode(packet).IsSuccess, name);
        for (var length = 0; length < packet.Length; length++)
        {
            var result = TotemCodec.Decode(packet.AsSpan(0, length));

            Assert.False(result.IsSuccess, $"{name} truncated to {length} bytes decoded as {result.Message}");
            Assert.Equal(length < TotemCodec.HeaderSize ? DecodeError.TooShort : DecodeError.Truncated, result.Error);
        }
    }

    [Theory]
    [MemberData(nameof(ValidPackets))]
    public void Trailing_bytes_are_rejected(string name, byte[] packet)
    {
        var extended = packet.Append((byte)0).ToArray();
        AssertRejected(extended, DecodeError.LengthMismatch, "1 bytes follow");
        Assert.True(TotemCodec.Decode(packet).IsSuccess, name);
    }

    [Fact]
    public void A_datagram_above_the_maximum_size_is_rejected()
    {
        var bytes = new byte[TotemCodec.MaxDatagramSize + 1];
        TotemCodec.Encode(EmptyJoin).CopyTo(bytes, 0);
        AssertRejected(bytes, DecodeError.Oversize, $"{TotemCodec.MaxDatagramSize + 1} bytes");
    }

    [Fact]
    public void Corosync_traffic_is_rejected_by_its_magic()
    {
        var bytes = TotemCodec.Encode(EmptyJoin);
        BinaryPrimitives.WriteUInt16BigEndian(bytes, 0xC070);
        AssertRejected(bytes, DecodeError.BadMagic, "magic 0xC070");
    }

    [Fact]
    public void Another_protocol_version_is_rejected() =>
        AssertRejected(Patch8(EmptyJoin, 2, 2), DecodeError.UnsupportedVersion, "version 2");

    [Theory]
    [InlineData(7)]
    [InlineData(255)]
    public void An_unknown_message_type_is_rejected(byte type) =>
        AssertRejected(Patch8(EmptyJoin, 3, type), DecodeError.UnknownType, $"type {type}");

    [Fact]
    public void A_huge_count_is_rejected_before_anything_is_allocated()
    {
        var packet = Patch32(EmptyJoin, JoinProcCountOffset, 0x80000000);
        Assert.True(packet.Length < 40);
        TotemCodec.Decode(packet); // warm up the code path so the JIT does not count

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = TotemCodec.Decode(packet);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(DecodeError.ListTooLong, result.Error);
        Assert.Contains("JoinMessage.ProcList count 2147483648", result.Detail);
        Assert.True(allocated < 2048, $"decoding a {packet.Length}-byte packet allocated {allocated} bytes");
    }

    [Fact]
    public void A_count_within_the_limit_but_beyond_the_datagram_is_rejected_before_allocating()
    {
        // Past ring, seq, source and guarantee, the frame's three flag bytes and its one length entry.
        var payloadCountOffset = TotemCodec.HeaderSize + 12 + 4 + 4 + 1 + 3 + 4 + 2;
        var packet = Patch32(new McastMessage(Node(1), Ring(1, 4), 1, Node(1), DeliveryGuarantee.Agreed, PgFrame.Single(Payload(4, 1)), null),
            payloadCountOffset, TotemCodec.MaxPayloadSize);
        TotemCodec.Decode(packet);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = TotemCodec.Decode(packet);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(DecodeError.Truncated, result.Error);
        Assert.Contains($"McastMessage.Data count {TotemCodec.MaxPayloadSize}", result.Detail);
        Assert.True(allocated < 2048, $"decoding a {packet.Length}-byte packet allocated {allocated} bytes");
    }

    [Fact]
    public void A_retransmit_count_above_corosyncs_limit_is_rejected()
    {
        var token = new OrfToken(Node(1), Ring(1, 4), 0, 0, 0, Node(0), 0, 0, false, ValueList<uint>.Empty);
        var countOffset = TotemCodec.GetEncodedSize(token) - 4;
        AssertRejected(Patch32(token, countOffset, 31), DecodeError.ListTooLong, "OrfToken.RetransmitList count 31", "limit of 30");
    }

    [Fact]
    public void A_flag_other_than_zero_or_one_is_rejected()
    {
        var token = new OrfToken(Node(1), Ring(1, 4), 0, 0, 0, Node(0), 0, 0, false, ValueList<uint>.Empty);
        var flagOffset = TotemCodec.GetEncodedSize(token) - 5;
        AssertRejected(Patch8(token, flagOffset, 2), DecodeError.InvalidValue, "OrfToken.RetransFlg is 2");
    }

    [Fact]
    public void An_unknown_delivery_guarantee_is_rejected()
    {
        var guaranteeOffset = TotemCodec.HeaderSize + 12 + 4 + 4;
        var mcast = new McastMessage(Node(1), Ring(1, 4), 1, Node(1), DeliveryGuarantee.Agreed, PgFrame.Empty, null);
        AssertRejected(Patch8(mcast, guaranteeOffset, 7), DecodeError.InvalidValue, "McastMessage.Guarantee is 7");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(int.MaxValue)]
    public void A_commit_token_index_outside_its_member_list_is_rejected(int memberIndex)
    {
        var members = Enumerable.Range(1, 2).Select(i => new CommitMember(Node((uint)i), Ring(1, 4), 0, 0, false)).ToValueList();
        var token = new CommitToken(Node(1), Ring(1, 8), 0, 2, members);
        var indexOffset = TotemCodec.HeaderSize + 12 + 4;
        AssertRejected(Patch32(token, indexOffset, unchecked((uint)memberIndex)), DecodeError.InvalidValue,
            $"CommitToken.MemberIndex is {memberIndex}");
    }

    [Fact]
    public void A_second_level_of_encapsulation_is_rejected()
    {
        var inner = new McastMessage(Node(2), Ring(1, 4), 5, Node(2), DeliveryGuarantee.Agreed, PgFrame.Empty, null);
        var outer = new McastMessage(Node(1), Ring(1, 8), 1, Node(1), DeliveryGuarantee.Agreed, PgFrame.Empty, inner);
        var bytes = TotemCodec.Encode(outer);
        bytes[^1] = 1; // the inner message's own encapsulation flag
        AssertRejected(bytes, DecodeError.NestingTooDeep, "McastMessage.Encapsulated.Encapsulated");
    }

    [Fact]
    public void A_garbled_encapsulation_flag_is_rejected()
    {
        var mcast = new McastMessage(Node(1), Ring(1, 8), 1, Node(1), DeliveryGuarantee.Agreed, PgFrame.Empty, null);
        var bytes = TotemCodec.Encode(mcast);
        bytes[^1] = 0x80;
        AssertRejected(bytes, DecodeError.InvalidValue, "McastMessage.Encapsulated is 128");
    }

    [Fact]
    public void Truncation_details_name_the_field_and_offset()
    {
        var packet = TotemCodec.Encode(EmptyJoin);
        AssertRejected(packet[..(JoinProcCountOffset + 2)], DecodeError.Truncated,
            "JoinMessage.ProcList.Count needs 4 bytes at offset 16 but the datagram has 2 left");
    }
}
