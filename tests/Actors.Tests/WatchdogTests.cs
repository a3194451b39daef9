using Akka.Actor;
using Serilog.Core;
using Totem.Nodes.Actors;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Protocol.Config;
using static Totem.Nodes.ActorTests.Nodes;

namespace Totem.Nodes.ActorTests;

public sealed class WatchdogTests : VirtualTimeTestKit
{
    private readonly IActorRef _watchdog;

    public WatchdogTests()
    {
        var options = Options(1, 3, new FencingSettings(FencingMode.Exit, 2000));
        var fenced = TestActor;
        _watchdog = Sys.ActorOf(Watchdog.Props(options, Board(options, Sys), exit => fenced.Tell(exit), Logger.None));
    }

    private void Tell(bool quorate)
    {
        _watchdog.Tell(new QuorumVerdict(quorate));
        _watchdog.Tell(new Identify(null), TestActor);
        ExpectMsg<ActorIdentity>();
    }

    [Fact]
    public void Quorum_lost_for_the_whole_timeout_fences_the_node()
    {
        Tell(true);
        Tell(false);

        Advance(TimeSpan.FromMilliseconds(1999));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(NodeExitReason.Fenced, ExpectMsg<NodeExit>().Reason);
    }

    [Fact]
    public void Quorum_back_before_the_timeout_disarms_the_timer()
    {
        Tell(true);
        Tell(false);
        Advance(TimeSpan.FromMilliseconds(1500));
        Tell(true);

        Advance(TimeSpan.FromSeconds(10));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_node_that_never_was_quorate_is_not_fenced()
    {
        Tell(false);

        Advance(TimeSpan.FromSeconds(10));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
