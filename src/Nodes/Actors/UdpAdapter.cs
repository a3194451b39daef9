using Serilog;
using Totem.Actors;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Transport;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>
/// Speaks for the transport (started and disposed by the node, so a restart of this actor keeps the socket): encodes what the ring sends, decodes what arrives and hands valid messages
/// to the ring. Malformed datagrams are counted and dropped here, never thrown at the protocol.
/// </summary>
public sealed class UdpAdapter : ReceiveActor
{
    private readonly IDatagramTransport _transport;
    private readonly NodeWiring _wiring;
    private readonly ILogger _log;
    private readonly MalformedCounter _malformed;
    private readonly PeerActivity _peers;

    public UdpAdapter(IDatagramTransport transport, NodeWiring wiring, ILogger log, MalformedCounter malformed, PeerActivity peers)
    {
        _transport = transport;
        _wiring = wiring;
        _log = log.ForContext(LogSubsystem.Property, LogSubsystem.Transport);
        _malformed = malformed;
        _peers = peers;
        Receive<SendTotemMessage>(OnSend);
        Receive<DatagramArrived>(OnArrived);
        Receive<FlushTransport>(_ => Sender.Tell(new Flushed()));
    }

    private void OnSend(SendTotemMessage send)
    {
        var bytes = TotemCodec.Encode(send.Message);
        if (send.Destination is { } destination) _transport.Send(destination, bytes);
        else _transport.SendToAll(bytes);
    }

    private void OnArrived(DatagramArrived arrived)
    {
        var result = TotemCodec.Decode(arrived.Datagram.Bytes);
        if (!result.IsSuccess)
        {
            // Rate-limited by the counter: a burst of garbage must not flood the log either.
            if (_malformed.Increment() is var n && (n & (n - 1)) == 0)
                _log.Warning("Dropped malformed datagram from {From}: {Error} ({Count} so far)", arrived.Datagram.From, result.ToString(), n);
            return;
        }
        var message = result.Message!;
        _peers.Heard(message.Sender, Context.System.Now.ToUnixTimeMilliseconds());
        _wiring.Ring.Tell(new MessageReceived(message));
    }
}
