using Totem.Nodes.Transport;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>
/// The send path of a node's transport, the twin of <see cref="InboundDatagrams"/>: encodes a Totem message and puts it
/// on the wire. <see cref="TokenHolder"/> calls it from its own step, so a token visit's frames and the token itself go
/// out without a mailbox run (and, on the thread pool, a thread's wake-up) per datagram between the step and sendto;
/// <see cref="UdpAdapter"/> calls it for everything else. The transport takes sends from several threads at once.
/// </summary>
public sealed class OutboundDatagrams(IDatagramTransport transport)
{
    public void Send(TotemMessage message, NodeId? destination)
    {
        var bytes = TotemCodec.Encode(message);
        if (destination is { } to) transport.Send(to, bytes);
        else transport.SendToAll(bytes);
    }
}
