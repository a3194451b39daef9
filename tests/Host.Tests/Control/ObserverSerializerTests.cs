using System.Runtime.Serialization;
using Akka.Actor;
using Totem.Host.Control.Api;
using Totem.Host.Control.Observer;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Control;

public sealed class ObserverSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-test", ObserverPlane.RemoteConfig(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0)));
    private readonly ObserverSerializer _serializer;

    public ObserverSerializerTests() => _serializer = new ObserverSerializer((ExtendedActorSystem)_system);

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(5));

    private object RoundTrip(object message) => _serializer.FromBinary(_serializer.ToBinary(message), _serializer.Manifest(message));

    [Fact]
    public void The_observer_messages_are_bound_to_it_and_nothing_else_reaches_Akkas_default()
    {
        var serialization = _system.Serialization;
        foreach (var message in new object[] { SubscribeObserver.Instance, UnsubscribeObserver.Instance, new ObservedEventDto(1, new EventDto("x", DateTimeOffset.UnixEpoch, "y")) })
            Assert.IsType<ObserverSerializer>(serialization.FindSerializerFor(message));
    }

    [Fact]
    public void A_nodes_event_arrives_as_the_control_APIs_event()
    {
        var formed = new MembershipFormed(DateTimeOffset.Parse("2026-12-07T10:00:00.123Z", System.Globalization.CultureInfo.InvariantCulture),
            new RingId(new NodeId(1), 13), new[] { new NodeId(1), new NodeId(2) }.ToValueList(), ValueList<NodeId>.Empty, new[] { new NodeId(3) }.ToValueList());

        var back = Assert.IsType<ObservedEventDto>(RoundTrip(new ObservedEvent(new NodeId(2), formed)));

        Assert.Equal(2u, back.Node);
        Assert.Equal("membershipFormed", back.Event.Type);
        Assert.Equal(formed.At, back.Event.At);
        Assert.Equal("1.d", back.Event.RingId!.Text);
        Assert.Equal([1u, 2u], back.Event.Members!);
        Assert.Equal([3u], back.Event.Left!);
    }

    [Fact]
    public void A_link_going_down_arrives_as_linkDown_with_the_host_the_link_and_knets_words()
    {
        var at = DateTimeOffset.Parse("2026-12-07T10:00:00.5Z", System.Globalization.CultureInfo.InvariantCulture);
        var down = Assert.IsType<ObservedEventDto>(RoundTrip(new ObservedEvent(new NodeId(1), new KnetLinkChanged(at, new NodeId(3), 0, Up: false, ActiveLinks: 1))));
        Assert.Equal(("linkDown", 3u, 0u, 1L, at), (down.Event.Type, down.Event.Node!.Value, down.Event.Link!.Value, down.Event.Count!.Value, down.Event.At));
        Assert.Equal("link: host: 3 link: 0 is down", down.Event.Summary);

        var none = Assert.IsType<ObservedEventDto>(RoundTrip(new ObservedEvent(new NodeId(1), new KnetLinkChanged(at, new NodeId(3), 1, Up: false, ActiveLinks: 0))));
        Assert.Equal("link: host: 3 link: 1 is down; host: host: 3 has no active links", none.Event.Summary);
        var up = Assert.IsType<ObservedEventDto>(RoundTrip(new ObservedEvent(new NodeId(1), new KnetLinkChanged(at, new NodeId(3), 1, Up: true, ActiveLinks: 1))));
        Assert.Equal(("linkUp", "rx: host: 3 link: 1 is up"), (up.Event.Type, up.Event.Summary));
    }

    [Fact]
    public void A_sample_carries_ring_quorum_watchdog_and_rotation()
    {
        var deadline = DateTimeOffset.Parse("2026-12-07T10:00:10Z", System.Globalization.CultureInfo.InvariantCulture);
        var status = new NodeStatusSnapshot(new NodeId(4), "lab", "udpu", SrpState.Operational, new RingId(new NodeId(1), 20),
            new[] { new NodeId(1), new NodeId(4) }.ToValueList(),
            new QuorumSnapshot(false, 2, 5, 5, 3, ValueList<string>.Empty, ValueList<QuorumNodeEntry>.Empty),
            new WatchdogSnapshot(true, deadline, FencingMode.Exit, 10000),
            new LinkSnapshot("127.0.0.4", 5405, ValueList<PeerLinkStatus>.Empty), DateTimeOffset.UnixEpoch, deadline.AddSeconds(-3));

        var back = Assert.IsType<RingSampleDto>(RoundTrip(new RingSample(status, 118.5, 7, 2)));

        Assert.Equal(new RingSampleDto(4, deadline.AddSeconds(-3), "operational", new RingIdDto(1, 20, "1.14"), back.Members, 118.5, 7, 2, false, 2, 5, 3, true, deadline, 10000), back);
        Assert.Equal([1u, 4u], back.Members);
    }

    [Fact]
    public void The_subscription_commands_round_trip_to_their_single_instances()
    {
        Assert.Same(SubscribeObserver.Instance, RoundTrip(SubscribeObserver.Instance));
        Assert.Same(UnsubscribeObserver.Instance, RoundTrip(UnsubscribeObserver.Instance));
    }

    [Fact]
    public void Bad_bytes_or_an_unknown_manifest_are_refused_with_what_was_wrong()
    {
        var unknown = Assert.Throws<SerializationException>(() => _serializer.FromBinary([1, 2], "tick"));
        Assert.Contains("unknown manifest 'tick'", unknown.Message);
        var bad = Assert.Throws<SerializationException>(() => _serializer.FromBinary("{\"node\":"u8.ToArray(), ObserverSerializer.EventManifest));
        Assert.Contains("'event' message that is not its JSON", bad.Message);
        Assert.Throws<ArgumentException>(() => _serializer.ToBinary("a string"));
    }
}
