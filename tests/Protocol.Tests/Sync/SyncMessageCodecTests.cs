using Totem.Protocol.Sync;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Sync;

public class SyncMessageCodecTests
{
    private static readonly RingId Ring = new(new NodeId(3), 0x1_0000_0004);

    [Fact]
    public void Barrier_and_service_build_round_trip()
    {
        SyncMessage[] messages = [new SyncBarrier(Ring), new SyncServiceBuild(Ring, ValueList.Of<byte>(1, 9)), new SyncServiceBuild(Ring, ValueList<byte>.Empty)];
        foreach (var message in messages)
            Assert.Equal(message, SyncMessageCodec.Decode(SyncMessageCodec.Encode(message)));
    }

    [Theory]
    [InlineData(new byte[] { }, "at least 13 expected")]
    [InlineData(new byte[] { 5, 3, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0 }, "unknown sync message id 5 (byte 0)")]
    [InlineData(new byte[] { 0, 3, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 9 }, "sync barrier message has 14 bytes, expected 13")]
    [InlineData(new byte[] { 1, 3, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0 }, "service count (byte 13) is missing")]
    [InlineData(new byte[] { 1, 3, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 1 }, "lists 2 services in 1 bytes")]
    public void Bad_bytes_are_rejected_naming_what_is_wrong(byte[] payload, string message)
    {
        var error = Assert.Throws<FormatException>(() => SyncMessageCodec.Decode(payload));
        Assert.Contains(message, error.Message);
    }
}
