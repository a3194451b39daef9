using System.Buffers.Binary;
using Totem.Protocol.Client;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Client;

public sealed class ClientFrameCodecTests
{
    private static readonly RingId Ring = new(new NodeId(3), 0x2c);

    /// <summary>Encodes, checks the length prefix, decodes the rest.</summary>
    private static ClientFrame RoundTrip(ClientFrame frame)
    {
        var bytes = ClientFrameCodec.Encode(frame);
        Assert.Equal(bytes.Length - ClientFrameCodec.LengthBytes, ClientFrameCodec.ReadLength(bytes, out var problem));
        Assert.Null(problem);
        var decoded = ClientFrameCodec.Decode(bytes.AsMemory(ClientFrameCodec.LengthBytes));
        Assert.True(decoded.IsSuccess, decoded.Detail);
        return decoded.Frame;
    }

    private static ClientDecodeResult DecodeBody(params byte[] afterLength) => ClientFrameCodec.Decode(afterLength);

    [Fact]
    public void A_batch_round_trips_with_empty_and_maximal_messages()
    {
        var big = new byte[ClientFrameCodec.MaxMessageBytes];
        big[^1] = 7;
        var batch = (MulticastBatch)RoundTrip(new MulticastBatch(42, [new byte[] { 1, 2, 3 }, Array.Empty<byte>(), big]));
        Assert.Equal(42u, batch.BatchId);
        Assert.Equal([3, 0, ClientFrameCodec.MaxMessageBytes], batch.Messages.Select(m => m.Length));
        Assert.Equal(new byte[] { 1, 2, 3 }, batch.Messages[0].ToArray());
        Assert.Equal(7, batch.Messages[2].Span[^1]);
    }

    [Fact]
    public void Every_node_frame_round_trips()
    {
        Assert.Equal(new BatchAccepted(9, 100, 1234567890123), RoundTrip(new BatchAccepted(9, 100, 1234567890123)));
        Assert.Equal(new BatchTryAgain(9, "the send queue is full: 2048 of 2048"), RoundTrip(new BatchTryAgain(9, "the send queue is full: 2048 of 2048")));
        Assert.Equal(new Subscribed(77), RoundTrip(new Subscribed(77)));
        Assert.Equal(new Subscribe(SubscribeTo.Messages | SubscribeTo.ConfigurationChanges), RoundTrip(new Subscribe(SubscribeTo.Messages | SubscribeTo.ConfigurationChanges)));
        Assert.Equal(new ClientError(ClientErrorCode.FellBehind, "fell behind: é"), RoundTrip(new ClientError(ClientErrorCode.FellBehind, "fell behind: é")));
        var change = new ConfigurationChange(Ring, ValueList.Of(new NodeId(1), new NodeId(3)), ValueList.Of(new NodeId(3)), ValueList.Of(new NodeId(2)));
        Assert.Equal(change, RoundTrip(change));

        var delivered = (DeliveredBatch)RoundTrip(new DeliveredBatch([new ClientDelivery(5, Ring, 11, new NodeId(2), new byte[] { 9, 8 }), new ClientDelivery(6, Ring, 11, new NodeId(4), Array.Empty<byte>())]));
        Assert.Equal([5L, 6L], delivered.Messages.Select(m => m.Index));
        Assert.All(delivered.Messages, m => Assert.Equal(Ring, m.RingId));
        Assert.Equal([new NodeId(2), new NodeId(4)], delivered.Messages.Select(m => m.Sender));
        Assert.Equal(new byte[] { 9, 8 }, delivered.Messages[0].Payload.ToArray());
    }

    [Fact]
    public void Encoding_refuses_what_the_protocol_cannot_carry()
    {
        Assert.Throws<ArgumentException>(() => ClientFrameCodec.Encode(new MulticastBatch(1, [])));
        Assert.Throws<ArgumentException>(() => ClientFrameCodec.Encode(new MulticastBatch(1, [new byte[ClientFrameCodec.MaxMessageBytes + 1]])));
        Assert.Throws<ArgumentException>(() => ClientFrameCodec.Encode(new MulticastBatch(1, Enumerable.Repeat<ReadOnlyMemory<byte>>(new byte[1], ClientFrameCodec.MaxBatchMessages + 1).ToArray())));
    }

    [Theory]
    [InlineData(0u, "shorter than")]
    [InlineData(1u, "shorter than")]
    [InlineData(ClientFrameCodec.MaxFrameBytes + 1u, "above the limit")]
    [InlineData(uint.MaxValue, "above the limit")]
    public void A_length_prefix_outside_the_limits_is_refused(uint length, string problem)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, length);
        Assert.Null(ClientFrameCodec.ReadLength(prefix, out var error));
        Assert.Contains(problem, error);
    }

    [Fact]
    public void An_unknown_type_and_another_version_are_named()
    {
        var unknown = DecodeBody(ClientFrameCodec.Version, 0x42);
        Assert.Equal(ClientErrorCode.UnknownFrameType, unknown.Error);
        Assert.Contains("0x42", unknown.Detail);

        var version = DecodeBody(2, 0x01);
        Assert.Equal(ClientErrorCode.UnsupportedVersion, version.Error);
        Assert.Contains("version 2", version.Detail);
    }

    [Fact]
    public void A_truncated_batch_names_the_message_and_offset()
    {
        var bytes = ClientFrameCodec.Encode(new MulticastBatch(1, [new byte[] { 1 }, new byte[] { 1, 2, 3, 4 }]));
        var cut = DecodeBody(bytes.AsSpan(ClientFrameCodec.LengthBytes, bytes.Length - ClientFrameCodec.LengthBytes - 2).ToArray());
        Assert.Equal(ClientErrorCode.MalformedFrame, cut.Error);
        Assert.Contains("messages[1]", cut.Detail);
        Assert.Contains("offset", cut.Detail);
    }

    [Fact]
    public void A_message_above_the_limit_is_too_large_before_its_bytes_are_read()
    {
        // version, type, batch id, count 1, length MaxMessageBytes + 1, and no payload at all.
        var body = new byte[2 + 4 + 4 + 4];
        body[0] = ClientFrameCodec.Version;
        body[1] = 0x01;
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(6), 1);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(10), ClientFrameCodec.MaxMessageBytes + 1);
        var result = DecodeBody(body);
        Assert.Equal(ClientErrorCode.TooLarge, result.Error);
        Assert.Contains($"{ClientFrameCodec.MaxMessageBytes + 1} bytes", result.Detail);
    }

    [Fact]
    public void An_empty_batch_a_bad_subscription_and_trailing_bytes_are_malformed()
    {
        var empty = DecodeBody(ClientFrameCodec.Version, 0x01, 0, 0, 0, 1, 0, 0, 0, 0);
        Assert.Equal(ClientErrorCode.MalformedFrame, empty.Error);
        Assert.Contains("count is 0", empty.Detail);

        var subscribe = DecodeBody(ClientFrameCodec.Version, 0x02, 4);
        Assert.Equal(ClientErrorCode.MalformedFrame, subscribe.Error);
        Assert.Contains("what", subscribe.Detail);

        var trailing = DecodeBody(ClientFrameCodec.Version, 0x02, 1, 0);
        Assert.Equal(ClientErrorCode.MalformedFrame, trailing.Error);
        Assert.Contains("after its last field", trailing.Detail);
    }

    [Fact]
    public void Every_truncation_of_valid_frames_is_an_error_never_an_exception()
    {
        var frames = new ClientFrame[]
        {
            new MulticastBatch(1, [new byte[] { 1, 2 }, new byte[] { 3, 4, 5 }]),
            new DeliveredBatch([new ClientDelivery(5, Ring, 11, new NodeId(2), new byte[] { 9, 8 })]),
            new ConfigurationChange(Ring, ValueList.Of(new NodeId(1)), ValueList<NodeId>.Empty, ValueList.Of(new NodeId(2))),
            new BatchTryAgain(3, "full"),
            new ClientError(ClientErrorCode.Stopping, "bye"),
        };
        foreach (var frame in frames)
        {
            var body = ClientFrameCodec.Encode(frame).AsMemory(ClientFrameCodec.LengthBytes);
            for (var cut = 0; cut < body.Length; cut++)
            {
                var result = ClientFrameCodec.Decode(body[..cut]);
                Assert.False(result.IsSuccess, $"{frame.GetType().Name} cut at {cut}");
                Assert.NotEmpty(result.Detail);
            }
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(18);
        for (var i = 0; i < 20_000; i++)
        {
            var body = new byte[random.Next(0, 64)];
            random.NextBytes(body);
            if (body.Length > 0 && random.Next(2) == 0) body[0] = ClientFrameCodec.Version;
            var result = ClientFrameCodec.Decode(body);
            Assert.True(result.IsSuccess || result.Detail.Length > 0);
        }
    }
}
