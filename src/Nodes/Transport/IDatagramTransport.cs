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

    /// <summary>Starts receiving; every datagram is handed to <paramref name="onDatagram"/> (from any thread).</summary>
    void Start(Action<ReceivedDatagram> onDatagram);

    void Send(NodeId destination, byte[] datagram);

    /// <summary>Sends to every known peer except this node (udpu's multicast).</summary>
    void SendToAll(byte[] datagram);

    TransportCounters Counters { get; }
}

/// <summary>
/// A datagram as it arrived; <see cref="From"/> is the sender's address, for diagnostics only. <see cref="SealedBy"/>
/// is the node id the seal authenticated (null for clear datagrams): the Totem message inside must name the same sender.
/// </summary>
public sealed record ReceivedDatagram(byte[] Bytes, string From, NodeId? SealedBy = null);
