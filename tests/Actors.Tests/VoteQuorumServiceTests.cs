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

    /// <summary>What the ring's ServiceSync asks of votequorum for a new ring, with the members' node-info delivered before the barriers.</summary>
    private void Synchronize(RingId ring, uint[] members)
    {
        _quorum.Tell(new ServiceSyncInit(ring, ValueList<NodeId>.Empty, members.Select(N).ToValueList()));
        _quorum.Tell(new ServiceSyncProcess(ring), _ring);
        _ring.FishForMessage<ServiceSyncProcessed>(p => p.Ring == ring);
        foreach (var member in members) _quorum.Tell(new QuorumMessageDelivered(N(member), Info(member)));
        _quorum.Tell(new ServiceSyncActivate(ring));
    }

    [Fact]
    public void The_process_phase_multicasts_the_node_info_through_the_ring_before_answering()
    {
        var ring = new RingId(N(1), 8);
        _quorum.Tell(new ServiceSyncInit(ring, ValueList<NodeId>.Empty, new[] { N(1), N(2) }.ToValueList()));
        _quorum.Tell(new ServiceSyncProcess(ring));

        var broadcast = _ring.ExpectMsg<Broadcast>();
        Assert.Equal(ServiceId.VoteQuorum, broadcast.Service);
        Assert.Equal(DeliveryGuarantee.Agreed, broadcast.Guarantee);
        var info = Assert.IsType<NodeInfo>(QuorumMessageCodec.Decode(broadcast.Body));
        Assert.Equal(N(1), info.NodeId);
        // The answer comes after the node-info, so the ring's barrier follows it.
        Assert.Equal(new ServiceSyncProcessed(ServiceId.VoteQuorum, ring), _ring.ExpectMsg<ServiceSyncProcessed>());
    }

    [Fact]
    public void Two_of_three_members_reporting_make_the_watchdog_hear_quorate_at_the_activation()
    {
        var ring = new RingId(N(1), 8);
        _quorum.Tell(new ServiceSyncInit(ring, ValueList<NodeId>.Empty, new[] { N(1), N(2) }.ToValueList()));
        _quorum.Tell(new QuorumMessageDelivered(N(1), Info(1)));
        _quorum.Tell(new QuorumMessageDelivered(N(2), Info(2)));
        _watchdog.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        _quorum.Tell(new ServiceSyncActivate(ring));
        Assert.True(_watchdog.ExpectMsg<QuorumVerdict>().Quorate);
    }

    [Fact]
    public void A_ring_of_one_of_three_is_not_quorate()
    {
        Synchronize(new RingId(N(1), 8), [1]);

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
        Synchronize(new RingId(N(1), 8), [1, 2]);

        _quorum.Tell(new SetExpectedVotesCommand(2), TestActor);

        var answer = ExpectMsg<SetExpectedVotesResult>();
        Assert.True(answer.Ok, answer.ToString());
        _ring.FishForMessage<Broadcast>(b => QuorumMessageCodec.Decode(b.Body) is Reconfigure);
    }

    [Fact]
    public void Without_allow_downscale_the_leave_is_answered_at_once_and_nothing_is_multicast()
    {
        Synchronize(new RingId(N(1), 8), [1, 2]);
        _ring.ReceiveWhile<object>(TimeSpan.FromMilliseconds(100), m => m);

        _quorum.Tell(new AnnounceLeavingCommand(), TestActor);

        Assert.False(ExpectMsg<LeaveAnnounced>().Announced);
        _ring.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void With_allow_downscale_the_leaving_node_info_goes_through_the_ring_and_its_delivery_is_the_answer()
    {
        var options = _options with { Quorum = _options.Quorum with { AllowDownscale = true } };
        var ring = CreateTestProbe();
        var quorum = ring.ChildActorOf(VoteQuorumService.Props(options, Board(options, Sys), _watchdog, Logger.None));

        quorum.Tell(new AnnounceLeavingCommand(), TestActor);

        var broadcast = ring.FishForMessage<Broadcast>(b => b.Service == ServiceId.VoteQuorum);
        var info = Assert.IsType<NodeInfo>(QuorumMessageCodec.Decode(broadcast.Body));
        Assert.True(info.Flags.HasFlag(NodeInfoFlags.Leaving));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        quorum.Tell(new QuorumMessageDelivered(N(1), broadcast.Body));

        Assert.True(ExpectMsg<LeaveAnnounced>().Announced);
    }
}
