using Serilog.Core;
using Totem.Nodes.Actors;
using Totem.Nodes.Transport;
using Totem.Protocol.Security;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.ActorTests;

/// <summary>The Totem message inside a sealed datagram must be from the node that sealed it.</summary>
public sealed class SealedSenderTests : VirtualTimeTestKit
{
    [Fact]
    public void A_sealed_datagram_whose_message_names_another_sender_is_counted_as_sender_mismatch_and_never_reaches_an_actor()
    {
        var ring = CreateTestProbe();
        var counters = new TransportCounters();
        var inbound = new InboundDatagrams(new RingHalves(ring, ring), new MalformedCounter(), new PeerActivity(), Sys.Scheduler, Logger.None, counters);
        var leaveOfNode3 = new LeaveMessage(new NodeId(3), 8, new[] { new NodeId(1) }.ToValueList(), new[] { new NodeId(3) }.ToValueList());

        // Node 2 holds the key and seals a leave in node 3's name.
        inbound.OnDatagram(new ReceivedDatagram(TotemCodec.Encode(leaveOfNode3), "127.0.0.2:5405", SealedBy: new NodeId(2)));
        ring.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, counters.SealFailures(SealFailure.SenderMismatch));
        Assert.Equal(1, counters.Unauthenticated);

        // Sealed by node 3 itself, or clear (crypto none): delivered.
        inbound.OnDatagram(new ReceivedDatagram(TotemCodec.Encode(leaveOfNode3), "127.0.0.3:5405", SealedBy: new NodeId(3)));
        inbound.OnDatagram(new ReceivedDatagram(TotemCodec.Encode(leaveOfNode3), "127.0.0.3:5405"));
        Assert.Equal(leaveOfNode3, ring.ExpectMsg<MessageReceived>().Message);
        Assert.Equal(leaveOfNode3, ring.ExpectMsg<MessageReceived>().Message);
        Assert.Equal(1, counters.SealFailures(SealFailure.SenderMismatch));
    }
}
