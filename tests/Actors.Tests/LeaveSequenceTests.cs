using Akka.Actor;
using Serilog.Core;
using Totem.Nodes.Actors;
using Totem.Nodes.Messages;

namespace Totem.Nodes.ActorTests;

public sealed class LeaveSequenceTests : VirtualTimeTestKit
{
    private readonly Akka.TestKit.TestProbe _tokenHolder;

    public LeaveSequenceTests()
    {
        _tokenHolder = CreateTestProbe();
    }

    /// <summary>The sequence with votequorum's answer given at once (allow_downscale off: nothing to announce).</summary>
    private IActorRef Start(Akka.TestKit.TestProbe ring, Akka.TestKit.TestProbe adapter, Action stop)
    {
        var leave = Sys.ActorOf(LeaveSequence.Props(new RingHalves(_tokenHolder, ring), adapter, stop, TimeSpan.FromSeconds(5), Logger.None));
        _tokenHolder.ExpectMsg<AnnounceLeavingCommand>();
        _tokenHolder.Reply(new LeaveAnnounced(false));
        return leave;
    }

    [Fact]
    public void The_announcement_comes_back_before_the_ring_is_left()
    {
        var ring = CreateTestProbe();
        var adapter = CreateTestProbe();
        var leave = Sys.ActorOf(LeaveSequence.Props(new RingHalves(_tokenHolder, ring), adapter, () => { }, TimeSpan.FromSeconds(5), Logger.None));

        _tokenHolder.ExpectMsg<AnnounceLeavingCommand>();
        ring.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        _tokenHolder.Reply(new LeaveAnnounced(true));

        ring.ExpectMsg<LeaveRingCommand>();
        Assert.NotNull(leave);
    }

    [Fact]
    public void An_announcement_that_never_comes_back_still_lets_the_ring_be_left_at_half_the_deadline()
    {
        var ring = CreateTestProbe();
        var adapter = CreateTestProbe();
        var stopped = 0;
        var leave = Sys.ActorOf(LeaveSequence.Props(new RingHalves(_tokenHolder, ring), adapter, () => stopped++, TimeSpan.FromSeconds(5), Logger.None));
        Watch(leave);
        _tokenHolder.ExpectMsg<AnnounceLeavingCommand>();

        Advance(TimeSpan.FromMilliseconds(2400));
        ring.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Advance(TimeSpan.FromMilliseconds(100));
        ring.ExpectMsg<LeaveRingCommand>();
        ring.Reply(new LeaveSent());
        adapter.ExpectMsg<FlushTransport>();
        adapter.Reply(new Flushed());

        ExpectTerminated(leave);
        Assert.Equal(1, stopped);
    }

    [Fact]
    public void Leave_then_flush_then_stop_in_that_order()
    {
        var ring = CreateTestProbe();
        var adapter = CreateTestProbe();
        var stopped = 0;
        var leave = Start(ring, adapter, () => stopped++);
        Watch(leave);

        ring.ExpectMsg<LeaveRingCommand>();
        adapter.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        ring.Reply(new LeaveSent());
        adapter.ExpectMsg<FlushTransport>();
        Assert.Equal(0, stopped);
        adapter.Reply(new Flushed());

        ExpectTerminated(leave);
        Assert.Equal(1, stopped);
    }

    [Fact]
    public void The_deadline_stops_the_node_when_the_leave_is_never_confirmed()
    {
        var ring = CreateTestProbe();
        var adapter = CreateTestProbe();
        var stopped = 0;
        var leave = Start(ring, adapter, () => stopped++);
        Watch(leave);
        ring.ExpectMsg<LeaveRingCommand>();

        Advance(TimeSpan.FromSeconds(4));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Assert.Equal(0, stopped);
        Advance(TimeSpan.FromSeconds(1));

        ExpectTerminated(leave);
        Assert.Equal(1, stopped);
    }

    [Fact]
    public void A_flush_that_never_comes_back_is_cut_by_the_same_deadline()
    {
        var ring = CreateTestProbe();
        var adapter = CreateTestProbe();
        var stopped = 0;
        var leave = Start(ring, adapter, () => stopped++);
        Watch(leave);
        ring.ExpectMsg<LeaveRingCommand>();
        ring.Reply(new LeaveSent());
        adapter.ExpectMsg<FlushTransport>();

        Advance(TimeSpan.FromSeconds(5));

        ExpectTerminated(leave);
        Assert.Equal(1, stopped);
    }
}
