using Totem.Nodes.Transport;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator;

/// <summary>
/// The network of a whole-cluster simulation: datagrams become simulation events, subject to
/// per-link loss, duplication, delay and jitter, and to partitions into arbitrary groups. All
/// randomness comes from the simulation's seeded random, so a seed replays exactly.
/// </summary>
public sealed class SimulatedNetwork
{
    private readonly Simulation _simulation;
    private readonly SortedSet<NodeId> _knownNodes = new();
    private readonly Dictionary<NodeId, Action<ReceivedDatagram>> _attached = new();
    private readonly Dictionary<(NodeId From, NodeId To), LinkConditions> _linkOverrides = new();
    private readonly Dictionary<NodeId, int> _partitionOf = new();
    private LinkConditions _defaultConditions = LinkConditions.Perfect;

    public SimulatedNetwork(Simulation simulation) => _simulation = simulation;

    public long DatagramsSent { get; private set; }
    public long DatagramsDelivered { get; private set; }
    public long DatagramsLost { get; private set; }
    public long DatagramsDuplicated { get; private set; }
    public long DatagramsBlockedByPartition { get; private set; }

    public IReadOnlyCollection<NodeId> KnownNodes => _knownNodes;

    /// <summary>Called for every datagram a node sends (before loss or partition is applied): a tracing hook.</summary>
    public Action<NodeId, NodeId, byte[]>? OnSend { get; set; }

    /// <summary>Adds a node to the "nodelist" every transport sends to, even while it is down.</summary>
    public void AddNode(NodeId node) => _knownNodes.Add(node);

    public SimulatedTransport CreateTransport(NodeId node, IOutboundShaper? shaper = null)
    {
        AddNode(node);
        return new SimulatedTransport(this, node, shaper);
    }

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

    internal void Attach(NodeId node, Action<ReceivedDatagram> onDatagram) => _attached[node] = onDatagram;

    /// <summary>A crashed node receives nothing more; datagrams in flight to it are lost.</summary>
    public void Detach(NodeId node) => _attached.Remove(node);

    /// <summary>Detaches only the given receiver, so a stale incarnation cannot cut off its restarted successor.</summary>
    internal void Detach(NodeId node, Action<ReceivedDatagram> receiver)
    {
        if (_attached.TryGetValue(node, out var current) && ReferenceEquals(current, receiver)) _attached.Remove(node);
    }

    internal void Send(NodeId from, NodeId to, byte[] datagram, TimeSpan heldBySender)
    {
        DatagramsSent++;
        OnSend?.Invoke(from, to, datagram);
        if (!CanReach(from, to))
        {
            DatagramsBlockedByPartition++;
            return;
        }
        var conditions = _linkOverrides.TryGetValue((from, to), out var link) ? link : _defaultConditions;
        var random = _simulation.Random;
        if (conditions.LossProbability > 0 && random.NextDouble() < conditions.LossProbability)
        {
            DatagramsLost++;
            return;
        }
        ScheduleDelivery(from, to, datagram, conditions, heldBySender);
        if (conditions.DuplicateProbability > 0 && random.NextDouble() < conditions.DuplicateProbability)
        {
            DatagramsDuplicated++;
            ScheduleDelivery(from, to, datagram, conditions, heldBySender);
        }
    }

    private void ScheduleDelivery(NodeId from, NodeId to, byte[] datagram, LinkConditions conditions, TimeSpan heldBySender)
    {
        var delay = heldBySender + conditions.Delay;
        if (JitterModel is { } model)
            delay += model(from, to, _simulation.Random);
        else if (conditions.Jitter > TimeSpan.Zero)
            delay += TimeSpan.FromTicks((long)(_simulation.Random.NextDouble() * conditions.Jitter.Ticks));
        _simulation.Schedule(delay, () =>
        {
            // A partition that starts while the datagram is in flight cuts it too.
            if (!CanReach(from, to) || !_attached.TryGetValue(to, out var deliver)) return;
            DatagramsDelivered++;
            deliver(new ReceivedDatagram(datagram, $"sim:{from}"));
        });
    }
}
