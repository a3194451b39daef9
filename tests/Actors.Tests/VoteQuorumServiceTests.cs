using Akka.Actor;
using Serilog.Core;
using Totem.Nodes.Actors;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Services;
using Totem.Protocol.Quorum;
using Totem.Protocol.Wire;
using static Totem.Nodes.ActorTests.Nodes;

namespace Totem.Nodes.ActorTests;

public sealed class VoteQuorumServiceTests : VirtualTimeTestKit
{
    private readonly NodeOptions _options = Options(1, 3);
    private readonly Akka.TestKit.TestProbe _ring;
    private readonly Akka.TestKit.TestProbe _watchdog;
    private readonly IActorRef _quorum;

    public VoteQuorumServiceTests()
    {
        _ring = CreateTestProbe();
        _watchdog = CreateTestProbe();
        // The ring is votequorum's parent: it multicasts through Context.Parent.
        _quorum = _ring.ChildActorOf(VoteQuorumService.Props(_options, Board(_options, Sys), _watchdog, Logger.None));
    }

    private static byte[] Info(uint node) => QuorumMessageCodec.Encode(new NodeInfo(N(node), 1, 3, default));

    [Fact]
    public void A_new_ring_makes_it_multicast_its_node_info_through_the_ring()
    {
        var ring = new RingId(N(1), 8);
        _quorum.Tell(new RingInstalled(ring, new[] { N(1), N(2) }.ToValueList()));

        var broadcast = _ring.FishForMessage<Broadcast>(b => b.Service == ServiceId.VoteQuorum);
        Assert.Equal(DeliveryGuarantee.Agreed, broadcast.Guarantee);
        var info = Assert.IsType<NodeInfo>(QuorumMessageCodec.Decode(broadcast.Body));
        Assert.Equal(N(1), info.NodeId);
    }

    [Fact]
    public void Two_of_three_members_reporting_make_the_watchdog_hear_quorate()
    {
        _quorum.Tell(new RingInstalled(new RingId(N(1), 8), new[] { N(1), N(2) }.ToValueList()));
        _quorum.Tell(new QuorumMessageDelivered(N(1), Info(1)));
        _quorum.Tell(new QuorumMessageDelivered(N(2), Info(2)));

        _watchdog.FishForMessage<QuorumVerdict>(v => v.Quorate);
    }

    [Fact]
    public void A_ring_of_one_of_three_is_not_quorate()
    {
        _quorum.Tell(new RingInstalled(new RingId(N(1), 8), new[] { N(1) }.ToValueList()));
        _quorum.Tell(new QuorumMessageDelivered(N(1), Info(1)));

        Assert.False(_watchdog.ExpectMsg<QuorumVerdict>().Quorate);
    }

    [Fact]
    public void A_malformed_votequorum_message_is_ignored()
    {
        _quorum.Tell(new QuorumMessageDelivered(N(2), new byte[] { 0xFF, 0xFE }));

        _watchdog.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _quorum.Tell(new Identify(null), TestActor);
        ExpectMsg<ActorIdentity>(); // still alive: not restarted, no exception
    }

    [Fact]
    public void Expected_votes_are_answered_and_the_reconfigure_goes_through_the_ring()
    {
        _quorum.Tell(new RingInstalled(new RingId(N(1), 8), new[] { N(1), N(2) }.ToValueList()));
        _quorum.Tell(new QuorumMessageDelivered(N(1), Info(1)));
        _quorum.Tell(new QuorumMessageDelivered(N(2), Info(2)));

        _quorum.Tell(new SetExpectedVotesCommand(2), TestActor);

        var answer = ExpectMsg<SetExpectedVotesResult>();
        Assert.True(answer.Ok, answer.ToString());
        _ring.FishForMessage<Broadcast>(b => QuorumMessageCodec.Decode(b.Body) is Reconfigure);
    }
}
