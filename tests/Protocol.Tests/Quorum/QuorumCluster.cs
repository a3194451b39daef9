using Totem.Protocol.Config;
using Totem.Protocol.Quorum;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Quorum;

/// <summary>
/// Several votequorum calculators on a virtual clock and an idealised ring: each partition delivers its
/// members' multicasts to all of them in one agreed order, through the codec, as the Totem ring would, and a
/// new ring runs votequorum's sync as sync.c does (init on every member, process, then activate once all are done).
/// </summary>
internal sealed class QuorumCluster
{
    private readonly Dictionary<NodeId, VoteQuorum> _nodes = new();
    private readonly Dictionary<NodeId, List<NodeId>> _partitionOf = new();
    private readonly Dictionary<NodeId, long> _lmsDeadline = new();
    private readonly Dictionary<NodeId, List<QuorumOutput>> _outputs = new();
    private ulong _ringSeq;

    public long Now { get; private set; }

    public static QuorumCluster Start(QuorumSettings settings, params uint[] ids) =>
        StartWithVotes(settings, ids.Select(id => (id, 1u)).ToArray());

    public static QuorumCluster StartWithVotes(QuorumSettings settings, params (uint Id, uint Votes)[] nodes)
    {
        var nodelist = nodes.Select((n, i) => new NodeEntry(new NodeId(n.Id), $"node{n.Id}", $"10.0.0.{n.Id}", n.Votes, i + 1)).ToList();
        var cluster = new QuorumCluster();
        foreach (var (id, _) in nodes) cluster.Boot(id, settings, nodelist);
        return cluster;
    }

    public void Boot(uint id, QuorumSettings settings, IReadOnlyList<NodeEntry> nodelist)
    {
        var node = new VoteQuorum(new NodeId(id), settings, nodelist);
        _nodes[new NodeId(id)] = node;
        _outputs[new NodeId(id)] = node.StartupOutputs.ToList();
    }

    public VoteQuorum this[uint id] => _nodes[new NodeId(id)];

    public QuorumStatus Status(uint id) => this[id].Status;

    /// <summary>Outputs of a node since the last <see cref="Drain"/>.</summary>
    public List<QuorumOutput> Drain(uint id)
    {
        var taken = _outputs[new NodeId(id)].ToList();
        _outputs[new NodeId(id)].Clear();
        return taken;
    }

    public List<string> DrainLogs(uint id, QuorumLogLevel minimum = QuorumLogLevel.Notice) =>
        Drain(id).OfType<QuorumLog>().Where(l => l.Level >= minimum).Select(l => l.Render()).ToList();

    /// <summary>Install new rings: each array is one partition; nodes in none are down and hear nothing.</summary>
    public void Form(params uint[][] partitions)
    {
        foreach (var partition in partitions)
        {
            var members = partition.Select(id => new NodeId(id)).OrderBy(n => n).ToList();
            var ring = new RingId(members[0], _ringSeq += 4);
            foreach (var member in members) _partitionOf[member] = members;
            var pending = new Queue<(NodeId, QuorumMessage)>();
            foreach (var member in members)
                Collect(member, _nodes[member].Handle(new MembershipChanged(ring, members.ToValueList()), Now), pending);
            foreach (var member in members)
                Collect(member, _nodes[member].Handle(new SyncProcess(), Now), pending);
            DeliverAll(members, pending);
            // Every member's barrier follows its node-info: the activation sees all of them.
            foreach (var member in members)
                Collect(member, _nodes[member].Handle(new SyncActivate(), Now), pending);
            DeliverAll(members, pending);
        }
    }

    public void Advance(long ms)
    {
        Now += ms;
        foreach (var (node, deadline) in _lmsDeadline.ToList())
        {
            if (deadline > Now) continue;
            _lmsDeadline.Remove(node);
            var pending = new Queue<(NodeId, QuorumMessage)>();
            Collect(node, _nodes[node].Handle(new LastManStandingTimerExpired(), Now), pending);
            DeliverAll(_partitionOf[node], pending);
        }
    }

    public long? LmsDeadline(uint id) => _lmsDeadline.TryGetValue(new NodeId(id), out var d) ? d : null;

    /// <summary>An operator command on one node; what it multicasts is delivered in its partition.</summary>
    public CommandResult Command(uint id, QuorumInput command)
    {
        var node = new NodeId(id);
        var pending = new Queue<(NodeId, QuorumMessage)>();
        var outputs = _nodes[node].Handle(command, Now);
        Collect(node, outputs, pending);
        DeliverAll(_partitionOf[node], pending);
        return outputs.OfType<CommandResult>().Single();
    }

    private void DeliverAll(List<NodeId> members, Queue<(NodeId Sender, QuorumMessage Message)> pending)
    {
        while (pending.Count > 0)
        {
            var (sender, message) = pending.Dequeue();
            var decoded = QuorumMessageCodec.Decode(QuorumMessageCodec.Encode(message));
            foreach (var member in members)
            {
                QuorumInput input = decoded switch
                {
                    NodeInfo info => new NodeInfoReceived(sender, info),
                    Reconfigure r => new ReconfigureReceived(sender, r),
                    _ => throw new InvalidOperationException(decoded.GetType().Name),
                };
                Collect(member, _nodes[member].Handle(input, Now), pending);
            }
        }
    }

    private void Collect(NodeId node, IReadOnlyList<QuorumOutput> outputs, Queue<(NodeId, QuorumMessage)> pending)
    {
        _outputs[node].AddRange(outputs);
        foreach (var output in outputs)
        {
            switch (output)
            {
                case MulticastNodeInfo m: pending.Enqueue((node, m.Info)); break;
                case MulticastReconfigure r: pending.Enqueue((node, r.Reconfigure)); break;
                case StartLastManStandingTimer t: _lmsDeadline[node] = t.DeadlineMs; break;
                case StopLastManStandingTimer: _lmsDeadline.Remove(node); break;
            }
        }
    }
}
