using System.Buffers;
using Totem.Protocol.Wire;
using static Totem.Protocol.Tests.Wire.MessageSamples;

namespace Totem.Protocol.Tests.Wire;

public class TotemCodecRoundTripTests
{
    public static TheoryData<string, TotemMessage> EdgeMessages()
    {
        var data = new TheoryData<string, TotemMessage>();
        foreach (var m in Minimal()) data.Add($"minimal {m.GetType().Name}", m);
        var i = 0;
        foreach (var m in Maximal()) data.Add($"maximal {m.GetType().Name} #{i++}", m);
        return data;
    }

    [Theory]
    [MemberData(nameof(EdgeMessages))]
    public void Edge_values_survive_a_round_trip(string name, TotemMessage message)
    {
        var bytes = TotemCodec.Encode(message);

        var result = TotemCodec.Decode(bytes);

        Assert.True(result.IsSuccess, $"{name}: {result}");
        Assert.Equal(message, result.Message);
        Assert.True(bytes.Length <= TotemCodec.MaxDatagramSize);
        Assert.Equal(bytes.Length, TotemCodec.GetEncodedSize(message));
    }

    [Fact]
    public void Random_messages_of_every_type_survive_a_round_trip()
    {
        var rng = new Random(20240611);
        var seen = new HashSet<Type>();
        for (var i = 0; i < 3000; i++)
        {
            var message = MessageSamples.Random(rng, large: i % 10 == 0);
            seen.Add(message.GetType());

            var bytes = TotemCodec.Encode(message);
            var result = TotemCodec.Decode(bytes);

            Assert.True(result.IsSuccess, $"iteration {i}: {result}");
            Assert.Equal(message, result.Message);
            Assert.Equal(bytes, TotemCodec.Encode(result.Message));
        }
        Assert.Equal(TotemCodec.SupportedMessageClasses.ToHashSet(), seen);
    }

    [Fact]
    public void Every_concrete_message_record_has_a_codec()
    {
        var messageClasses = typeof(TotemMessage).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(TotemMessage)) && !t.IsAbstract);

        Assert.Equal(messageClasses.ToHashSet(), TotemCodec.SupportedMessageClasses.ToHashSet());
    }

    [Fact]
    public void Header_and_fields_are_in_network_byte_order()
    {
        var bytes = TotemCodec.Encode(new MergeDetect(Node(0x01020304), Ring(0x0A0B0C0D, 0x1122334455667788)));

        Assert.Equal(
            new byte[]
            {
                0x54, 0x6D, // magic "Tm"
                0x01, // protocol version
                0x02, // type: merge detect (corosync's MESSAGE_TYPE_MEMB_MERGE_DETECT)
                0x01, 0x02, 0x03, 0x04, // sender
                0x0A, 0x0B, 0x0C, 0x0D, // ring representative
                0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, // ring seq
            },
            bytes);
    }

    [Fact]
    public void Multicast_layout_carries_the_encapsulated_message_after_a_flag_and_its_sender()
    {
        var inner = new McastMessage(Node(7), Ring(1, 2), 3, Node(7), DeliveryGuarantee.Safe, PgFrame.Single(ValueList.Of<byte>(0xAB)), null);
        var outer = new McastMessage(Node(5), Ring(1, 6), 9, Node(5), DeliveryGuarantee.Agreed, PgFrame.Empty, inner);

        var bytes = TotemCodec.Encode(outer);

        Assert.Equal(
            new byte[]
            {
                0x54, 0x6D, 0x01, 0x01, 0, 0, 0, 5, // header: mcast from node 5
                0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 6, // ring 1.6
                0, 0, 0, 9, // seq
                0, 0, 0, 5, // source
                0, // agreed
                0, 0, 0, // frame: regular queue, not fragmented, no continuation
                0, 0, 0, 0, // no pieces
                0, 0, 0, 0, // no data
                1, // encapsulates
                0, 0, 0, 7, // inner sender
                0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, // inner ring 1.2
                0, 0, 0, 3, // inner seq
                0, 0, 0, 7, // inner source
                1, // safe
                0, 0, 0, // frame: regular queue, not fragmented, no continuation
                0, 0, 0, 1, 0, 1, // one piece of one byte
                0, 0, 0, 1, 0xAB, // its data
                0, // no further encapsulation
            },
            bytes);
    }

    [Fact]
    public void An_encapsulated_message_with_the_largest_payload_fills_the_largest_datagram()
    {
        var inner = new McastMessage(Node(1), Ring(1, 1), 1, Node(1), DeliveryGuarantee.Agreed, PgFrame.Single(Payload(TotemCodec.MaxPayloadSize, 3)), null);
        var outer = new McastMessage(Node(1), Ring(1, 2), 1, Node(1), DeliveryGuarantee.Agreed, PgFrame.Empty, inner);

        Assert.Equal(TotemCodec.MaxDatagramSize, TotemCodec.GetEncodedSize(outer));
    }

    [Fact]
    public void Span_and_buffer_writer_encodings_match_the_array_encoding()
    {
        var rng = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var message = MessageSamples.Random(rng);
            var expected = TotemCodec.Encode(message);

            var span = new byte[expected.Length + 10];
            var written = TotemCodec.Encode(message, span);
            var bufferWriter = new ArrayBufferWriter<byte>();
            TotemCodec.Encode(message, bufferWriter);

            Assert.Equal(expected, span.AsSpan(0, written).ToArray());
            Assert.Equal(expected, bufferWriter.WrittenSpan.ToArray());
        }
    }
}
