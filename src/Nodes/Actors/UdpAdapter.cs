using Akka.Actor;
using Serilog;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Transport;
using Totem.Protocol.Security;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>
/// Speaks for the transport on the way out (the transport is started and disposed by the node, so a restart of
/// this actor keeps the socket): encodes what the ring sends and puts it on the wire; answers a flush once every
/// datagram queued before it is sent. The way in is <see cref="InboundDatagrams"/>, which decodes on the
/// transport's receive path so that a malformed datagram never reaches an actor.
/// </summary>
public sealed class UdpAdapter : UntypedActor
{
    private readonly IDatagramTransport _transport;

    public UdpAdapter(IDatagramTransport transport)
    {
        _transport = transport;
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case SendTotemMessage send:
                OnSend(send);
                break;
            case FlushTransport:
                Sender.Tell(new Flushed());
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    public static Props Props(IDatagramTransport transport) => Akka.Actor.Props.Create<UdpAdapter>(transport);

    private void OnSend(SendTotemMessage send)
    {
        var bytes = TotemCodec.Encode(send.Message);
        if (send.Destination is { } destination) _transport.Send(destination, bytes);
        else _transport.SendToAll(bytes);
    }
}

/// <summary>
/// The receive path of a node's transport: decodes each datagram where it arrives and tells the ring only valid
/// Totem messages, each to the half it is for (<see cref="RingHalves"/>). Malformed datagrams are counted and dropped here (the warning rate-limited by the count), never
/// thrown at an actor.
/// </summary>
public sealed class InboundDatagrams
{
    private readonly RingHalves _ring;
    private readonly MalformedCounter _malformed;
    private readonly PeerActivity _peers;
    private readonly ITimeProvider _clock;
    private readonly ILogger _log;
    private readonly TransportCounters _seal;

    /// <param name="seal">Where a sealed datagram whose message names another sender is counted (<see cref="SealFailure.SenderMismatch"/>).</param>
    public InboundDatagrams(RingHalves ring, MalformedCounter malformed, PeerActivity peers, ITimeProvider clock, ILogger log, TransportCounters? seal = null)
    {
        _seal = seal ?? new TransportCounters();
        _ring = ring;
        _malformed = malformed;
        _peers = peers;
        _clock = clock;
        _log = log.ForContext(LogSubsystem.Property, LogSubsystem.Transport);
    }

    public void OnDatagram(ReceivedDatagram datagram)
    {
        // The datagram's bytes are the transport's buffer: decoded here, before it is reused; the message owns its copies.
        var result = TotemCodec.Decode(datagram.Bytes.Span);
        if (!result.IsSuccess)
        {
            if (_malformed.Increment() is var n && FloodLog.Logs(n))
                _log.Warning("Dropped malformed datagram from {From}: {Error} ({Count} so far)", datagram.From.ToString(), result.ToString(), n);
            return;
        }
        var message = result.Message!;
        if (datagram.SealedBy is { } sealedBy && sealedBy != message.Sender)
        {
            // A key holder may speak only for itself: its datagram naming another node could forge that node's joins and leaves.
            var n = _seal.OnSealFailure(SealFailure.SenderMismatch);
            if (FloodLog.Logs(n))
                _log.Warning("Unable to decrypt/auth packet from {From}: {Reason}, sealed by node {SealedBy} but the message is from node {Sender} ({Count} so far)",
                    datagram.From.ToString(), SealFailure.SenderMismatch, sealedBy.Value, message.Sender.Value, n);
            return;
        }
        _peers.Heard(message.Sender, _clock.Now.ToUnixTimeMilliseconds());
        _ring.For(message).Tell(new MessageReceived(message), ActorRefs.NoSender);
    }
}
