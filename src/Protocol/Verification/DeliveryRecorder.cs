using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Verification;

/// <summary>
/// Records, per node, what its Totem engine delivered and what the application submitted, split into
/// incarnations by crash and restart markers; <see cref="Check"/> then judges the whole run. Safe to
/// call from several threads (multi-process tests record from socket callbacks).
/// </summary>
public sealed class DeliveryRecorder
{
    private readonly object _gate = new();
    private readonly Dictionary<NodeId, List<IncarnationLog>> _nodes = new();
    private readonly InvariantChecker _checker;

    /// <param name="messageId">
    /// Names a message by its payload; together with the source node it must be unique in the run
    /// (the tests put a counter in the payload). The default uses the payload bytes themselves.
    /// </param>
    /// <param name="syncRecorded">The run records sync completions (<see cref="RecordSyncCompleted"/>) and only application
    /// deliveries: the checker then also judges that none is delivered in a ring before its sync completed.</param>
    public DeliveryRecorder(Func<ValueList<byte>, string>? messageId = null, bool syncRecorded = false) =>
        _checker = new InvariantChecker(messageId, syncRecorded);

    public void RecordSubmitted(NodeId node, ValueList<byte> payload) => Append(node, new MessageSubmitted(payload));

    public void RecordSubmitRejected(NodeId node, SubmitRejected rejected) => Append(node, new SubmissionRejected(rejected.Payload, rejected.Reason));

    public void RecordDelivered(NodeId node, Delivered delivered) => Append(node, new MessageDelivered(delivered));

    public void RecordConfiguration(NodeId node, ConfigurationChanged change) => Append(node, new ConfigurationInstalled(change));

    /// <summary>The service synchronization of <paramref name="ring"/> completed on the node: application traffic of that ring may be delivered.</summary>
    public void RecordSyncCompleted(NodeId node, RingId ring) => Append(node, new ServiceSyncCompleted(ring));

    /// <summary>Records the outputs the checker cares about (deliveries, configurations, refused submissions) and ignores the rest.</summary>
    public void Record(NodeId node, SrpOutput output)
    {
        switch (output)
        {
            case Delivered delivered: RecordDelivered(node, delivered); break;
            case ConfigurationChanged change: RecordConfiguration(node, change); break;
            case SubmitRejected rejected: RecordSubmitRejected(node, rejected); break;
        }
    }

    /// <summary>The node's current incarnation ends here; nothing more is recorded for it until <see cref="RecordRestart"/>.</summary>
    public void RecordCrash(NodeId node)
    {
        lock (_gate)
        {
            var current = Current(node);
            if (current.Crashed) throw new InvalidOperationException($"node {node} crashed twice without a restart in between");
            current.Crashed = true;
        }
    }

    /// <summary>The node starts a new incarnation with no memory of the previous one.</summary>
    public void RecordRestart(NodeId node)
    {
        lock (_gate)
        {
            var logs = Logs(node);
            if (logs.Count > 0 && !logs[^1].Crashed)
                throw new InvalidOperationException($"node {node} restarted without a recorded crash; call RecordCrash first");
            logs.Add(new IncarnationLog(logs.Count + 1));
        }
    }

    /// <summary>Every incarnation of every node, nodes in ascending id order.</summary>
    public IReadOnlyList<Incarnation> Incarnations
    {
        get
        {
            lock (_gate)
            {
                return _nodes.OrderBy(n => n.Key)
                    .SelectMany(n => n.Value.Select(log => new Incarnation(n.Key, log.Number, log.Events.ToArray(), log.Crashed)))
                    .ToArray();
            }
        }
    }

    /// <summary>
    /// The violations of the run so far, empty when all invariants hold. With <paramref name="livenessExpected"/>
    /// the run is taken to have settled (faults healed, enough quiet time), so unfinished work is a violation too.
    /// "Enough" is the protocol's own recovery time, not a fixed delay: a token lost just before the faults stopped
    /// is resent only after token_retransmit (over a second from 4 nodes on with corosync's defaults), and a lost ring
    /// reforms within token + consensus; the simulator waits for that (ScenarioRun.Settle) before calling this.
    /// </summary>
    public IReadOnlyList<string> Check(bool livenessExpected = false) => _checker.Check(Incarnations, livenessExpected);

    private void Append(NodeId node, NodeEvent nodeEvent)
    {
        lock (_gate)
        {
            var current = Current(node);
            if (current.Crashed)
                throw new InvalidOperationException($"node {node} recorded {nodeEvent.GetType().Name} after crashing; call RecordRestart first");
            current.Events.Add(nodeEvent);
        }
    }

    private IncarnationLog Current(NodeId node)
    {
        var logs = Logs(node);
        if (logs.Count == 0) logs.Add(new IncarnationLog(1));
        return logs[^1];
    }

    private List<IncarnationLog> Logs(NodeId node)
    {
        if (!_nodes.TryGetValue(node, out var logs)) _nodes[node] = logs = new List<IncarnationLog>();
        return logs;
    }

    private sealed class IncarnationLog(int number)
    {
        public int Number { get; } = number;
        public List<NodeEvent> Events { get; } = new();
        public bool Crashed { get; set; }
    }
}
