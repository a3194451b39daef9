using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Srp;

/// <summary>A reload's new timing reaches the engines through <see cref="ApplyTimeouts"/>: the next timer started uses it.</summary>
public class ApplyTimeoutsTests
{
    private static readonly NodeId Me = new(1);

    private static TotemTimeouts Token(uint token) => TotemTimeouts.Derive(new TotemSettings { Token = token }, 2);

    [Fact]
    public void The_next_gather_arms_join_and_consensus_from_the_new_timing()
    {
        var srp = new TotemSrp(new SrpOptions(Me, Token(3000)));
        srp.Start(0);
        Assert.Empty(srp.Handle(new ApplyTimeouts(Token(1000) with { Join = 70 }), 5).OfType<StartTimer>());

        var outputs = srp.Handle(new TimerExpired(SrpTimer.Consensus), 3600);
        var started = outputs.OfType<StartTimer>().ToDictionary(t => t.Timer, t => t.DelayMs);
        Assert.Equal(70u, started[SrpTimer.Join]);
        Assert.Equal(1200u, started[SrpTimer.Consensus]);
    }

    [Fact]
    public void Timing_the_engine_would_refuse_at_start_is_refused_at_reload()
    {
        var srp = new TotemSrp(new SrpOptions(Me, Token(3000)));
        srp.Start(0);
        Assert.Throws<ArgumentException>(() => srp.Handle(new ApplyTimeouts(Token(3000) with { Token = 0 }), 1));
    }
}
