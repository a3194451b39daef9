using Totem.Protocol.Quorum;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Quorum;

public class QuorumMessageCodecTests
{
    [Fact]
    public void Nodeinfo_round_trips_in_corosyncs_field_order()
    {
        var info = new NodeInfo(new NodeId(0x01020304), 2, 5, NodeInfoFlags.Quorate | NodeInfoFlags.First);
        var bytes = QuorumMessageCodec.Encode(info);
        Assert.Equal(new byte[] { 0, 4, 3, 2, 1, 2, 0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0 }, bytes);
        Assert.Equal(info, QuorumMessageCodec.Decode(bytes));
    }

    [Fact]
    public void Reconfigure_round_trips()
    {
        var reconfigure = new Reconfigure(new NodeId(3), ReconfigureParam.ExpectedVotes, 1);
        var bytes = QuorumMessageCodec.Encode(reconfigure);
        Assert.Equal(new byte[] { 1, 3, 0, 0, 0, 1, 0, 0, 0, 1 }, bytes);
        Assert.Equal(reconfigure, QuorumMessageCodec.Decode(bytes));
    }

    [Theory]
    [InlineData(new byte[0], "votequorum message is empty")]
    [InlineData(new byte[] { 9 }, "unknown votequorum message id 9 (byte 0)")]
    [InlineData(new byte[] { 0, 1, 0, 0, 0 }, "votequorum nodeinfo message has 5 bytes, expected 17")]
    [InlineData(new byte[] { 1, 3, 0, 0, 0, 1, 0, 0, 0 }, "votequorum reconfigure message has 9 bytes, expected 10")]
    [InlineData(new byte[] { 1, 3, 0, 0, 0, 1, 0, 0, 0, 7 }, "votequorum reconfigure message has unknown param 7 (byte 9)")]
    public void Bad_bytes_are_rejected_with_the_reason(byte[] bytes, string message)
    {
        var error = Assert.Throws<FormatException>(() => QuorumMessageCodec.Decode(bytes));
        Assert.Equal(message, error.Message);
    }
}
