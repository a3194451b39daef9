using Akka.Actor;
using Serilog.Core;
using Totem.Nodes.Actors;
using Totem.Nodes.Messages;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;
using static Totem.Nodes.ActorTests.Nodes;

namespace Totem.Nodes.ActorTests;

public sealed class UdpAdapterTests : VirtualTimeTestKit
{
    private static readonly JoinMessage Join = new(N(1), 4, new[] { N(1), N(2) }.ToValueList(), ValueList<NodeId>.Empty);

    [Fact]
    public void A_message_with_a_destination_is_encoded_and_unicast_to_it()
    {
        var transport = new RecordingTransport(N(1));
        var adapter = Sys.ActorOf(UdpAdapter.Props(transport));

        adapter.Tell(new SendTotemMessage(Join, N(2)));
        adapter.Tell(new FlushTransport(), TestActor);
        ExpectMsg<Flushed>();

        var (to, bytes) = Assert.Single(transport.Sent);
        Assert.Equal(N(2), to);
        Assert.Equal(TotemCodec.Encode(Join), bytes);
    }

    [Fact]
    public void A_message_without_a_destination_goes_to_every_peer()
    {
        var transport = new RecordingTransport(N(1));
        var adapter = Sys.ActorOf(UdpAdapter.Props(transport));

        adapter.Tell(new SendTotemMessage(Join, null));
        adapter.Tell(new FlushTransport(), TestActor);
        ExpectMsg<Flushed>();

        Assert.Null(Assert.Single(transport.Sent).To);
    }

    [Fact]
    public void A_flush_is_answered_after_every_send_queued_before_it()
    {
        var transport = new RecordingTransport(N(1));
        var adapter = Sys.ActorOf(UdpAdapter.Props(transport));
        for (var i = 0; i < 20; i++) adapter.Tell(new SendTotemMessage(Join with { RingSeq = (ulong)i }, null));
        adapter.Tell(new FlushTransport(), TestActor);

        ExpectMsg<Flushed>();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (ulong)i), transport.SentMessages().Cast<JoinMessage>().Select(j => j.RingSeq));
    }
}

public sealed class InboundDatagramsTests : VirtualTimeTestKit
{
    [Fact]
    public void A_valid_datagram_reaches_membership_decoded_and_marks_the_peer_as_heard()
    {
        var membership = CreateTestProbe();
        var tokenHolder = CreateTestProbe();
        var peers = new PeerActivity();
        var inbound = new InboundDatagrams(new RingHalves(tokenHolder, membership), new MalformedCounter(), peers, Sys.Scheduler, Logger.None);
        var join = new JoinMessage(N(2), 8, new[] { N(2) }.ToValueList(), ValueList<NodeId>.Empty);

        inbound.OnDatagram(new Transport.ReceivedDatagram(TotemCodec.Encode(join), "sim:2"));

        Assert.Equal(join, membership.ExpectMsg<MessageReceived>().Message);
        tokenHolder.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Assert.True(peers.Snapshot().ContainsKey(N(2)));
    }

    [Fact]
    public void Tokens_multicasts_and_hold_cancels_go_to_token_holder_joins_commit_tokens_merge_probes_and_leaves_to_membership()
    {
        var membership = CreateTestProbe();
        var tokenHolder = CreateTestProbe();
        var inbound = new InboundDatagrams(new RingHalves(tokenHolder, membership), new MalformedCounter(), new PeerActivity(), Sys.Scheduler, Logger.None);
        var ring = new RingId(N(2), 8);
        TotemMessage[] forTokenHolder =
        [
            new OrfToken(N(2), ring, 0, 1, 0, default, 0, 0, false, ValueList<uint>.Empty),
            new McastMessage(N(2), ring, 1, N(2), DeliveryGuarantee.Agreed, PgFrame.Empty, null),
            new TokenHoldCancel(N(2), ring),
        ];
        TotemMessage[] forMembership =
        [
            new LeaveMessage(N(2), 8, new[] { N(1) }.ToValueList(), new[] { N(2) }.ToValueList()),
            new CommitToken(N(2), ring, 1, 0, new[] { new CommitMember(N(1), ring, 0, 0, true) }.ToValueList()),
            new MergeDetect(N(2), ring),
        ];

        foreach (var message in forTokenHolder.Concat(forMembership))
            inbound.OnDatagram(new Transport.ReceivedDatagram(TotemCodec.Encode(message), "sim:2"));

        Assert.Equal(forTokenHolder, forTokenHolder.Select(_ => tokenHolder.ExpectMsg<MessageReceived>().Message));
        Assert.Equal(forMembership, forMembership.Select(_ => membership.ExpectMsg<MessageReceived>().Message));
    }

    [Fact]
    public void A_malformed_datagram_is_counted_and_never_reaches_an_actor()
    {
        var ring = CreateTestProbe();
        var malformed = new MalformedCounter();
        var inbound = new InboundDatagrams(new RingHalves(ring, ring), malformed, new PeerActivity(), Sys.Scheduler, Logger.None);

        inbound.OnDatagram(new Transport.ReceivedDatagram(new byte[] { 0xFF, 0x00, 0x13 }, "sim:9"));
        inbound.OnDatagram(new Transport.ReceivedDatagram(Array.Empty<byte>(), "sim:9"));

        ring.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, malformed.Count);
    }
}
