using Totem.Protocol.Wire;

namespace Totem.Nodes.Actors;

/// <summary>When each peer was last heard from (any valid datagram), for `totemctl rings`.</summary>
public sealed class PeerActivity
{
    private readonly Dictionary<NodeId, long> _lastHeardMs = new();

    public void Heard(NodeId peer, long nowMs)
    {
        lock (_lastHeardMs) _lastHeardMs[peer] = nowMs;
    }

    public IReadOnlyDictionary<NodeId, long> Snapshot()
    {
        lock (_lastHeardMs) return new Dictionary<NodeId, long>(_lastHeardMs);
    }
}
