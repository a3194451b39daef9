using Totem.Protocol.Srp;

namespace Totem.Protocol.Tests.Srp;

/// <summary>corosync's send_join: random() % (send_join * 1000) microseconds before each join.</summary>
public class SendJoinDelayTests
{
    [Fact]
    public void Draws_are_uniform_over_zero_to_send_join_in_microseconds()
    {
        var random = new Random(20261201);
        const uint sendJoin = 80;
        const int draws = 20_000;
        var buckets = new int[10];
        double sum = 0;
        for (var i = 0; i < draws; i++)
        {
            var delay = SendJoinDelay.Of(sendJoin, random.NextDouble());
            Assert.InRange(delay, TimeSpan.Zero, TimeSpan.FromMicroseconds(sendJoin * 1000 - 1));
            Assert.Equal(0, delay.Ticks % 10); // whole microseconds
            sum += delay.TotalMilliseconds;
            buckets[(int)(delay.TotalMilliseconds / (sendJoin / 10.0))]++;
        }
        Assert.InRange(sum / draws, sendJoin / 2.0 * 0.97, sendJoin / 2.0 * 1.03);
        Assert.All(buckets, count => Assert.InRange(count, draws / 10 * 0.9, draws / 10 * 1.1));
    }

    [Fact]
    public void The_bounds_of_the_draw()
    {
        Assert.Equal(TimeSpan.Zero, SendJoinDelay.Of(0, 0.5)); // the default: no wait
        Assert.Equal(TimeSpan.Zero, SendJoinDelay.Of(10, 0));
        Assert.Equal(TimeSpan.FromMicroseconds(9_999), SendJoinDelay.Of(10, 0.9999999999));
        Assert.Throws<ArgumentOutOfRangeException>(() => SendJoinDelay.Of(10, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SendJoinDelay.Of(10, -0.1));
    }
}
