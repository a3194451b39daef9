using Totem.Nodes.Transport;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator;

/// <summary>One node's port onto the <see cref="SimulatedNetwork"/>.</summary>
public sealed class SimulatedTransport : IDatagramTransport
{
    private readonly SimulatedNetwork _network;

    private readonly IOutboundShaper? _shaper;

    internal SimulatedTransport(SimulatedNetwork network, NodeId localNode, IOutboundShaper? shaper)
    {
        _network = network;
        LocalNode = localNode;
        _shaper = shaper;
    }

    public NodeId LocalNode { get; }

    /// <summary>The knet link this transport sends and receives on (0 for a single-link ring).</summary>
    public uint Link { get; init; }
    public TransportCounters Counters { get; } = new();

    private Action<ReceivedDatagram>? _receiver;

    public void Start(Action<ReceivedDatagram> onDatagram)
    {
        if (_receiver is not null) throw new InvalidOperationException("The transport is already started.");
        _receiver = datagram =>
        {
            Counters.OnReceived();
            onDatagram(datagram);
        };
        _network.Attach(LocalNode, Link, _receiver);
    }

    private bool _disposed;

    public void Send(NodeId destination, byte[] datagram)
    {
        // A crashed node's actors may run on until its system has stopped; it sends nothing more.
        if (_disposed) return;
        Counters.OnSent();
        var hold = _shaper is null ? TimeSpan.Zero : _shaper.Decide(destination);
        if (hold is not { } delay)
        {
            Counters.OnDroppedByFault();
            return;
        }
        _network.Send(LocalNode, destination, datagram, delay, Link);
    }

    public void SendToAll(byte[] datagram)
    {
        foreach (var node in _network.KnownNodes)
        {
            if (node == LocalNode) continue;
            Send(node, datagram);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        if (_receiver is not null) _network.Detach(LocalNode, Link, _receiver);
    }
}
