using Totem.Nodes.Transport;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator;

/// <summary>
/// The network of a whole-cluster simulation: datagrams become simulation events, subject to
/// per-link loss, duplication, delay and jitter, and to partitions into arbitrary groups. All
/// randomness comes from the simulation's seeded random, so a seed replays exactly. A ring of several knet links
/// runs each link as its own network on the same wires' conditions (link N's datagrams reach only link N's
/// receivers), and a link can be cut between two nodes or at one node without touching the others.
/// </summary>
public sealed class SimulatedNetwork
{
    private readonly Simulation _simulation;
    private readonly SortedSet<NodeId> _knownNodes = new();
    private readonly Dictionary<(NodeId Node, uint Link), Action<ReceivedDatagram>> _attached = new();
    private readonly HashSet<(NodeId Node, uint Link)> _cutNodes = new();
    private readonly HashSet<(NodeId Low, NodeId High, uint Link)> _cutPairs = new();
    private readonly Dictionary<(NodeId From, NodeId To), LinkConditions> _linkOverrides = new();
    private readonly Dictionary<NodeId, int> _partitionOf = new();
    private LinkConditions _defaultConditions = LinkConditions.Perfect;

    public SimulatedNetwork(Simulation simulation) => _simulation = simulation;

    public long DatagramsSent { get; private set; }
    public long DatagramsDelivered { get; private set; }
    public long DatagramsLost { get; private set; }
    public long DatagramsDuplicated { get; private set; }
    public long DatagramsBlockedByPartition { get; private set; }
    public long DatagramsBlockedByLinkCut { get; private set; }

    public IReadOnlyCollection<NodeId> KnownNodes => _knownNodes;

    /// <summary>Called for every datagram a node sends (before loss or partition is applied): a tracing hook.</summary>
    public Action<NodeId, NodeId, byte[]>? OnSend { get; set; }

    /// <summary>Adds a node to the "nodelist" every transport sends to, even while it is down.</summary>
    public void AddNode(NodeId node) => _knownNodes.Add(node);

    public SimulatedTransport CreateTransport(NodeId node, IOutboundShaper? shaper = null) => CreateTransport(node, 0, shaper);

    /// <summary>The node's transport on knet link <paramref name="link"/>.</summary>
    public SimulatedTransport CreateTransport(NodeId node, uint link, IOutboundShaper? shaper)
    {
        AddNode(node);
        return new SimulatedTransport(this, node, shaper) { Link = link };
    }

    /// <summary>Cuts link <paramref name="link"/> between two nodes, both ways (a cable pulled on one network).</summary>
    public void CutLink(NodeId a, NodeId b, uint link) => _cutPairs.Add(Pair(a, b, link));

    /// <summary>Cuts link <paramref name="link"/> at a node: nothing passes to or from it on that link (its switch port died).</summary>
    public void CutLink(NodeId node, uint link) => _cutNodes.Add((node, link));

    /// <summary>Mends every link cut.</summary>
    public void HealLinks()
    {
        _cutNodes.Clear();
        _cutPairs.Clear();
    }

    public bool IsCut(NodeId from, NodeId to, uint link) =>
        (_cutNodes.Count > 0 && (_cutNodes.Contains((from, link)) || _cutNodes.Contains((to, link)))) ||
        (_cutPairs.Count > 0 && _cutPairs.Contains(Pair(from, to, link)));

    private static (NodeId, NodeId, uint) Pair(NodeId a, NodeId b, uint link) => a < b ? (a, b, link) : (b, a, link);

    /// <summary>
    /// When set, each datagram's jitter on a link (from, to) is drawn from it (a what-if profile's normal or measured
    /// distribution, plus its jitter bursts) instead of uniformly within the link's <see cref="LinkConditions.Jitter"/>.
    /// Unset, the random draws are as before.
    /// </summary>
    public Func<NodeId, NodeId, Random, TimeSpan>? JitterModel { get; set; }

    public void SetDefaultConditions(LinkConditions conditions) => _defaultConditions = conditions.Validate();

    public void SetLinkConditions(NodeId from, NodeId to, LinkConditions conditions) =>
        _linkOverrides[(from, to)] = conditions.Validate();

    public void ClearLinkConditions() => _linkOverrides.Clear();

    /// <summary>Splits the network: datagrams pass only between nodes of the same group; nodes in no group are isolated.</summary>
    public void Partition(params IReadOnlyCollection<NodeId>[] groups)
    {
        _partitionOf.Clear();
        var seen = new HashSet<NodeId>();
        for (var group = 0; group < groups.Length; group++)
        {
            foreach (var node in groups[group])
            {
                if (!seen.Add(node)) throw new ArgumentException($"node {node} is in more than one partition group", nameof(groups));
                _partitionOf[node] = group;
            }
        }
        foreach (var node in _knownNodes)
            if (!seen.Contains(node)) _partitionOf[node] = -1 - (int)node.Value;
    }

    public void Heal() => _partitionOf.Clear();

    public bool CanReach(NodeId from, NodeId to)
    {
        if (_partitionOf.Count == 0) return true;
        return _partitionOf.TryGetValue(from, out var a) && _partitionOf.TryGetValue(to, out var b) && a == b;
    }

    internal void Attach(NodeId node, uint link, Action<ReceivedDatagram> onDatagram) => _attached[(node, link)] = onDatagram;

    /// <summary>A crashed node receives nothing more, on any link; datagrams in flight to it are lost.</summary>
    public void Detach(NodeId node)
    {
        foreach (var key in _attached.Keys.Where(k => k.Node == node).ToList()) _attached.Remove(key);
    }

    /// <summary>Detaches only the given receiver, so a stale incarnation cannot cut off its restarted successor.</summary>
    internal void Detach(NodeId node, uint link, Action<ReceivedDatagram> receiver)
    {
        if (_attached.TryGetValue((node, link), out var current) && ReferenceEquals(current, receiver)) _attached.Remove((node, link));
    }

    internal void Send(NodeId from, NodeId to, byte[] datagram, TimeSpan heldBySender, uint link = 0)
    {
        DatagramsSent++;
        OnSend?.Invoke(from, to, datagram);
        if (!CanReach(from, to))
        {
            DatagramsBlockedByPartition++;
            return;
        }
        if (IsCut(from, to, link))
        {
            DatagramsBlockedByLinkCut++;
            return;
        }
        var conditions = _linkOverrides.TryGetValue((from, to), out var overridden) ? overridden : _defaultConditions;
        var random = _simulation.Random;
        if (conditions.LossProbability > 0 && random.NextDouble() < conditions.LossProbability)
        {
            DatagramsLost++;
            return;
        }
        ScheduleDelivery(from, to, datagram, conditions, heldBySender, link);
        if (conditions.DuplicateProbability > 0 && random.NextDouble() < conditions.DuplicateProbability)
        {
            DatagramsDuplicated++;
            ScheduleDelivery(from, to, datagram, conditions, heldBySender, link);
        }
    }

    private void ScheduleDelivery(NodeId from, NodeId to, byte[] datagram, LinkConditions conditions, TimeSpan heldBySender, uint link)
    {
        var delay = heldBySender + conditions.Delay;
        if (JitterModel is { } model)
            delay += model(from, to, _simulation.Random);
        else if (conditions.Jitter > TimeSpan.Zero)
            delay += TimeSpan.FromTicks((long)(_simulation.Random.NextDouble() * conditions.Jitter.Ticks));
        _simulation.Schedule(delay, () =>
        {
            // A partition or a link cut that starts while the datagram is in flight cuts it too.
            if (!CanReach(from, to) || IsCut(from, to, link) || !_attached.TryGetValue((to, link), out var deliver)) return;
            DatagramsDelivered++;
            deliver(new ReceivedDatagram(datagram, SourceAddress(from, link)));
        });
    }

    private readonly Dictionary<(NodeId Node, uint Link), string> _sourceAddresses = new();

    /// <summary>The address a datagram from <paramref name="from"/> on <paramref name="link"/> arrives from: made once per sender and link, not per datagram.</summary>
    private string SourceAddress(NodeId from, uint link)
    {
        if (!_sourceAddresses.TryGetValue((from, link), out var address))
            _sourceAddresses[(from, link)] = address = link == 0 ? $"sim:{from}" : $"sim:{from}/link{link}";
        return address;
    }
}
