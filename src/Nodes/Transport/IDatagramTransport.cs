using Totem.Protocol.Wire;

namespace Totem.Nodes.Transport;

/// <summary>
/// The transport port: how one node's datagrams reach its peers. Real UDP unicasts to every known
/// peer as corosync's udpu does; the simulated network delivers through the deterministic simulation.
/// Implementations never throw on send: an unreachable or unknown peer is a lost datagram, which
/// the protocol already tolerates.
/// </summary>
public interface IDatagramTransport : IDisposable
{
    NodeId LocalNode { get; }

    /// <summary>
    /// Starts receiving; every datagram is handed to <paramref name="onDatagram"/> (from any thread, one at a time), whose
    /// bytes are valid only until it returns (<see cref="ReceivedDatagram"/>).
    /// </summary>
    void Start(Action<ReceivedDatagram> onDatagram);

    void Send(NodeId destination, byte[] datagram);

    /// <summary>Sends to every known peer except this node (udpu's multicast).</summary>
    void SendToAll(byte[] datagram);

    TransportCounters Counters { get; }
}

/// <summary>
/// A datagram as it arrived. <see cref="Bytes"/> lies in the transport's receive buffer and is valid only during the
/// callback that is handed it (the next datagram overwrites it): a receiver decodes it there, and the decoded message
/// owns copies of what it keeps, so no datagram is copied on its way from the socket to the decoder.
/// <see cref="From"/> is the sender's address (an <see cref="System.Net.EndPoint"/>, or the simulator's name for a
/// node), for diagnostics only: it is formatted only when a datagram is reported. <see cref="SealedBy"/> is the node
/// id the seal authenticated (null for clear datagrams): the Totem message inside must name the same sender.
/// </summary>
public readonly record struct ReceivedDatagram(ReadOnlyMemory<byte> Bytes, object From, NodeId? SealedBy = null);
