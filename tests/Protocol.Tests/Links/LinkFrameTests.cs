using Totem.Protocol.Links;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Links;

public class LinkFrameTests
{
    [Fact]
    public void A_data_frame_round_trips_with_its_payload_after_the_header()
    {
        var frame = new LinkFrame(LinkFrameKind.Data, 7, new NodeId(65535), ulong.MaxValue - 1, 0x0102030405060708);
        var datagram = frame.ToDatagram([9, 8, 7]);
        Assert.Equal(LinkFrame.HeaderBytes + 3, datagram.Length);
        Assert.Equal([0x4B, 1, 7, 0, 0, 0, 0xFF, 0xFF], datagram[..8]);
        Assert.True(LinkFrame.TryRead(datagram, out var read, out var error), error);
        Assert.Equal(frame, read);
        Assert.Equal([9, 8, 7], datagram[LinkFrame.HeaderBytes..]);
    }

    [Theory]
    [InlineData(LinkFrameKind.Ping)]
    [InlineData(LinkFrameKind.Pong)]
    public void Heartbeats_round_trip(LinkFrameKind kind)
    {
        var frame = new LinkFrame(kind, 1, new NodeId(3), 42, 123456789);
        Assert.True(LinkFrame.TryRead(frame.ToDatagram(), out var read, out _));
        Assert.Equal(frame, read);
        Assert.Throws<InvalidOperationException>(() => frame.ToDatagram([1]));
    }

    [Theory]
    [InlineData(new byte[] { 0x4B, 1, 0 }, "shorter than its 24-byte header")]
    [InlineData(new byte[] { 0x00, 1, 0, 0 }, "not a link frame: first byte 0x00")]
    [InlineData(new byte[] { 0x4B, 4, 0, 0 }, "unknown kind 4")]
    [InlineData(new byte[] { 0x4B, 1, 8, 0 }, "link frame for link 8")]
    [InlineData(new byte[] { 0x4B, 1, 0, 1 }, "reserved byte 1")]
    [InlineData(new byte[] { 0x4B, 2, 0, 0, 0 }, "Ping link frame of 25 bytes")]
    public void Bad_frames_are_refused_with_what_is_wrong(byte[] head, string message)
    {
        var datagram = new byte[Math.Max(head.Length == 3 ? 3 : LinkFrame.HeaderBytes, head.Length == 5 ? 25 : 0)];
        head.AsSpan(0, Math.Min(head.Length, 4)).CopyTo(datagram);
        Assert.False(LinkFrame.TryRead(datagram, out _, out var error));
        Assert.Contains(message, error);
    }
}
