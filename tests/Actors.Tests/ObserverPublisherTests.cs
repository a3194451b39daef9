using System.Threading.Channels;
using Akka.Actor;
using Totem.Nodes.Actors;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Protocol.Wire;
using static Totem.Nodes.ActorTests.Nodes;

namespace Totem.Nodes.ActorTests;

public sealed class ObserverPublisherTests : VirtualTimeTestKit
{
    private readonly Channel<ClusterEvent> _feed = Channel.CreateUnbounded<ClusterEvent>();
    private readonly NodeBoard _board;
    private readonly IActorRef _publisher;
    private int _samples;

    public ObserverPublisherTests()
    {
        var options = Options(2, 3);
        _board = Board(options, Sys);
        _publisher = Sys.ActorOf(ObserverPublisher.Props(N(2), ct => _feed.Reader.ReadAllAsync(ct), Sample, TimeSpan.FromSeconds(1)));
    }

    private RingSample Sample() => new(_board.Status(), 12.5 + Interlocked.Increment(ref _samples), 7, 1);

    private static MembershipFormed Formed() =>
        new(DateTimeOffset.UnixEpoch, new RingId(N(1), 8), new[] { N(1), N(2) }.ToValueList(), ValueList<NodeId>.Empty, new[] { N(3) }.ToValueList());

    [Fact]
    public void A_subscriber_gets_a_sample_at_once_then_every_event_and_a_sample_each_period()
    {
        _publisher.Tell(SubscribeObserver.Instance, TestActor);
        var first = ExpectMsg<RingSample>();
        Assert.Equal(N(2), first.Status.NodeId);
        Assert.Equal(13.5, first.TokenRotationMs);

        _feed.Writer.TryWrite(Formed());
        var observed = ExpectMsg<ObservedEvent>();
        Assert.Equal(N(2), observed.Node);
        Assert.Equal(Formed(), observed.Event);

        Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(14.5, ExpectMsg<RingSample>().TokenRotationMs);
        Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(15.5, ExpectMsg<RingSample>().TokenRotationMs);
    }

    [Fact]
    public void Every_subscriber_gets_each_event_and_an_unsubscribed_or_stopped_one_no_more()
    {
        var second = CreateTestProbe();
        var third = CreateTestProbe();
        _publisher.Tell(SubscribeObserver.Instance, TestActor);
        _publisher.Tell(SubscribeObserver.Instance, second.Ref);
        _publisher.Tell(SubscribeObserver.Instance, third.Ref);
        ExpectMsg<RingSample>();
        second.ExpectMsg<RingSample>();
        third.ExpectMsg<RingSample>();

        _feed.Writer.TryWrite(new TokenLost(DateTimeOffset.UnixEpoch, new RingId(N(1), 8), 3000));
        Assert.IsType<TokenLost>(ExpectMsg<ObservedEvent>().Event);
        Assert.IsType<TokenLost>(second.ExpectMsg<ObservedEvent>().Event);
        Assert.IsType<TokenLost>(third.ExpectMsg<ObservedEvent>().Event);

        _publisher.Tell(UnsubscribeObserver.Instance, second.Ref);
        Watch(third.Ref);
        Sys.Stop(third.Ref);
        ExpectTerminated(third.Ref);
        _feed.Writer.TryWrite(new WatchdogArmed(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(10)));

        Assert.IsType<WatchdogArmed>(ExpectMsg<ObservedEvent>().Event);
        second.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        // The stopped one's messages would be dead letters; what matters is the publisher kept going.
        Advance(TimeSpan.FromSeconds(1));
        ExpectMsg<RingSample>();
        second.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Without_subscribers_nothing_is_sampled()
    {
        Advance(TimeSpan.FromSeconds(5));
        _publisher.Tell(SubscribeObserver.Instance, TestActor);
        ExpectMsg<RingSample>();
        Assert.Equal(1, Volatile.Read(ref _samples));
    }
}
