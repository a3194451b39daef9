using Akka.Actor;
using Totem.Nodes.Actors;
using Totem.Nodes.Messages;
using Totem.Protocol.Srp;

namespace Totem.Nodes.ActorTests;

public sealed class RetransmitTimerTests : VirtualTimeTestKit
{
    private sealed class Host : ReceiveActor, IWithTimers
    {
        public Host(IActorRef probe)
        {
            Receive<(SrpTimer Timer, uint Ms)>(start => Timer.Start(start.Timer, start.Ms));
            Receive<SrpTimer>(stop => Timer.Stop(stop));
            Receive<SrpOutput>(item => Sender.Tell(Timer.TryApply(item)));
            Receive<RingTimerExpired>(expired => probe.Tell(expired));
            Receive<string>(_ => Sender.Tell("synced"));
        }

        public ITimerScheduler Timers { get; set; } = null!;
        private RetransmitTimer Timer => new(Timers);
    }

    private IActorRef Start() => Sys.ActorOf(Akka.Actor.Props.Create(() => new Host(TestActor)));

    private void Sync(IActorRef host)
    {
        host.Tell("sync", TestActor);
        ExpectMsg("synced");
    }

    [Fact]
    public void A_started_timer_expires_once_after_its_delay()
    {
        var host = Start();
        host.Tell((SrpTimer.TokenLoss, 1000u));
        Sync(host);

        Advance(TimeSpan.FromMilliseconds(999));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(SrpTimer.TokenLoss, ExpectMsg<RingTimerExpired>().Timer);
        Advance(TimeSpan.FromSeconds(10));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Starting_a_running_timer_again_replaces_its_arming()
    {
        var host = Start();
        host.Tell((SrpTimer.Consensus, 100u));
        Sync(host);
        Advance(TimeSpan.FromMilliseconds(50));
        host.Tell((SrpTimer.Consensus, 100u));
        Sync(host);

        Advance(TimeSpan.FromMilliseconds(99));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Advance(TimeSpan.FromMilliseconds(1));
        ExpectMsg<RingTimerExpired>();
        Advance(TimeSpan.FromSeconds(1));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void A_stopped_timer_never_expires_and_other_timers_are_untouched()
    {
        var host = Start();
        host.Tell((SrpTimer.Join, 50u));
        host.Tell((SrpTimer.TokenHold, 80u));
        host.Tell(SrpTimer.Join);
        Sync(host);

        Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(SrpTimer.TokenHold, ExpectMsg<RingTimerExpired>().Timer);
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void TryApply_carries_out_start_and_stop_items_and_refuses_any_other()
    {
        var host = Start();
        host.Tell(new StartTimer(SrpTimer.Join, 50), TestActor);
        Assert.True(ExpectMsg<bool>());
        host.Tell(new StartTimer(SrpTimer.TokenHold, 80), TestActor);
        Assert.True(ExpectMsg<bool>());
        host.Tell(new StopTimer(SrpTimer.Join), TestActor);
        Assert.True(ExpectMsg<bool>());
        host.Tell(new RingSeqObserved(4), TestActor);
        Assert.False(ExpectMsg<bool>());

        Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(SrpTimer.TokenHold, ExpectMsg<RingTimerExpired>().Timer);
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }
}
