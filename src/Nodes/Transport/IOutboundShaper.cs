using Totem.Protocol.Wire;

namespace Totem.Nodes.Transport;

/// <summary>
/// In-node fault injection on the send path (delay, jitter, loss per peer or for all), which works on
/// any kernel, unlike tc netem. Returns null to drop the datagram, else how long to hold it back.
/// </summary>
public interface IOutboundShaper
{
    TimeSpan? Decide(NodeId destination);
}
