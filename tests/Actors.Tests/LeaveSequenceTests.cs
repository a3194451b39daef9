using Akka.Actor;
using Serilog.Core;
using Totem.Nodes.Actors;
using Totem.Nodes.Messages;

namespace Totem.Nodes.ActorTests;

public sealed class LeaveSequenceTests : VirtualTimeTestKit
{
    [Fact]
    public void Leave_then_flush_then_stop_in_that_order()
    {
        var ring = CreateTestProbe();
        var adapter = CreateTestProbe();
        var stopped = 0;
        var leave = Sys.ActorOf(LeaveSequence.Props(ring, adapter, () => stopped++, TimeSpan.FromSeconds(5), Logger.None));
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
        var leave = Sys.ActorOf(LeaveSequence.Props(ring, adapter, () => stopped++, TimeSpan.FromSeconds(5), Logger.None));
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
        var leave = Sys.ActorOf(LeaveSequence.Props(ring, adapter, () => stopped++, TimeSpan.FromSeconds(5), Logger.None));
        Watch(leave);
        ring.ExpectMsg<LeaveRingCommand>();
        ring.Reply(new LeaveSent());
        adapter.ExpectMsg<FlushTransport>();

        Advance(TimeSpan.FromSeconds(5));

        ExpectTerminated(leave);
        Assert.Equal(1, stopped);
    }
}
