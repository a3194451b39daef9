using Totem.Protocol.Config.Reload;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Config;

public class CfgMessageCodecTests
{
    [Fact]
    public void Request_and_report_round_trip()
    {
        CfgMessage[] messages =
        [
            new ReloadRequested(new NodeId(3), 7),
            new ReloadReported(new NodeId(3), 7, ReloadOutcome.Refused, 12, "a.conf:4:3: error: Modified entry 'totem.transport' ..."),
            new ReloadReported(new NodeId(1), 1, ReloadOutcome.Applied, 0, ""),
        ];
        foreach (var message in messages)
            Assert.Equal(message, CfgMessageCodec.Decode(CfgMessageCodec.Encode(message)));
    }

    [Fact]
    public void A_long_detail_is_cut_to_the_limit()
    {
        var decoded = (ReloadReported)CfgMessageCodec.Decode(CfgMessageCodec.Encode(
            new ReloadReported(new NodeId(1), 1, ReloadOutcome.Invalid, 0, new string('x', CfgMessageCodec.MaxDetailBytes + 100))));
        Assert.Equal(CfgMessageCodec.MaxDetailBytes, decoded.Detail.Length);
    }

    [Theory]
    [InlineData(new byte[0], "cfg message is empty")]
    [InlineData(new byte[] { 9 }, "unknown cfg message id 9")]
    [InlineData(new byte[] { 0, 1, 0, 0, 0 }, "cfg reload request is 5 bytes, expected 9")]
    [InlineData(new byte[] { 1, 1, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "cfg reload report has unknown outcome 9")]
    [InlineData(new byte[] { 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0 }, "cfg reload report is 20 bytes, its detail length says 25")]
    public void Bad_bytes_are_refused_saying_what(byte[] bytes, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => CfgMessageCodec.Decode(bytes)).Message);
    }
}
