using System.Collections.Immutable;
using Totem.Protocol.Client;
using Totem.Protocol.Srp;
using Totem.Protocol.Verification;
using Totem.Protocol.Wire;

namespace Totem.Host.Ringbench.Bench;

/// <summary>
/// What the subscribers on every node saw during one throughput run, judged by the protocol's own
/// <see cref="InvariantChecker"/> (agreed order, no duplicates, virtual synchrony, and with the run's submissions no
/// loss). Kept as the deliveries arrive, so the nodes' bounded delivered logs never have to hold a whole run.
/// </summary>
/// <remarks>
/// The client protocol names a delivery by ring id and seq; messages packed into one frame share the seq, so each
/// node's consecutive deliveries of one (ring, seq) are numbered as pieces 0, 1, ... in the order it delivered them:
/// a node that skipped or reordered a packed message disagrees with the others about a piece. A client sees regular
/// configurations only; each is recorded after a transitional one of the members that came along (its members less
/// the joined), which is what the node delivered before it. Only the first <see cref="IdBytes"/> bytes of a payload
/// are kept: the benchmark's messages are unique in a run by their first bytes.
/// </remarks>
public sealed class DeliveryHistory
{
    /// <summary>A message is named by this many first bytes of its payload (the benchmark's header, or HTTP's "s1-123:").</summary>
    public const int IdBytes = 16;

    private readonly Lock _gate = new();
    private readonly Dictionary<NodeId, NodeLog> _nodes = [];
    private readonly InvariantChecker _checker = new();

    /// <param name="start">Each node's regular configuration when its subscription opened (ring id, members).</param>
    public DeliveryHistory(IEnumerable<(NodeId Node, RingId Ring, ValueList<NodeId> Members)> start)
    {
        foreach (var (node, ring, members) in start) _nodes[node] = new NodeLog(ring, members);
        if (_nodes.Count == 0) throw new ArgumentException("a delivery history needs at least one node", nameof(start));
    }

    /// <summary>A frame the node's subscriber received: its deliveries and configuration changes, in order.</summary>
    public void Record(NodeId node, ClientFrame frame)
    {
        lock (_gate)
        {
            var log = Log(node);
            switch (frame)
            {
                case DeliveredBatch batch:
                    foreach (var m in batch.Messages) log.Deliver(m);
                    break;
                case ConfigurationChange change:
                    log.Change(change);
                    break;
            }
        }
    }

    /// <summary>The node accepted this message for multicast (a run's submissions make a lost message a violation).</summary>
    public void Submitted(NodeId node, ReadOnlySpan<byte> payload)
    {
        lock (_gate) Log(node).Submit(payload);
    }

    /// <summary>
    /// Judges everything recorded since the last check (one run: every node delivered all of it, nothing more is
    /// sent) and starts the next run's history from each node's current configuration. Empty: no violation.
    /// </summary>
    public IReadOnlyList<string> CheckRun()
    {
        Incarnation[] run;
        lock (_gate)
        {
            run = _nodes.OrderBy(n => n.Key).Select(n => new Incarnation(n.Key, 1, n.Value.Take(), Crashed: false)).ToArray();
        }
        LastRunDeliveries = run.Sum(i => i.Events.Count(e => e is MessageDelivered));
        return _checker.Check(run, livenessExpected: true);
    }

    /// <summary>Deliveries (all nodes together) the last <see cref="CheckRun"/> judged.</summary>
    public long LastRunDeliveries { get; private set; }

    /// <summary>Judges the run (<see cref="CheckRun"/>); throws with its violations (at most 20 listed) when it broke an invariant.</summary>
    public void ThrowIfViolated(string run)
    {
        var violations = CheckRun();
        if (violations.Count == 0) return;
        var shown = string.Join("\n  ", violations.Take(20));
        var more = violations.Count > 20 ? $"\n  ... and {violations.Count - 20} more" : "";
        throw new InvalidOperationException($"{run}: the nodes' deliveries break {violations.Count} invariant(s):\n  {shown}{more}");
    }

    private NodeLog Log(NodeId node) =>
        _nodes.TryGetValue(node, out var log) ? log : throw new ArgumentException($"node {node} has no subscriber in this history", nameof(node));

    /// <summary>
    /// One node's deliveries, configurations and submissions in its order, kept as small values (no copy of a
    /// payload, no allocation per message: the subscribers record inside the timed runs) and turned into the
    /// checker's events only when the run is judged.
    /// </summary>
    private sealed class NodeLog(RingId ring, ValueList<NodeId> members)
    {
        private List<Entry> _entries = [];
        private RingId _ring = ring;
        private ValueList<NodeId> _members = members;
        private RingId _runRing = ring;
        private ValueList<NodeId> _runMembers = members;
        private uint _lastSeq;
        private int _piece = -1;

        public void Deliver(ClientDelivery m)
        {
            _piece = m.RingId == _ring && m.Seq == _lastSeq && _piece >= 0 ? _piece + 1 : 0;
            _lastSeq = m.Seq;
            _entries.Add(new Entry(EntryKind.Delivered, m.RingId, m.Seq, _piece, m.Sender, MessageId.Of(m.Payload.Span), null));
        }

        public void Submit(ReadOnlySpan<byte> payload) =>
            _entries.Add(new Entry(EntryKind.Submitted, default, 0, 0, default, MessageId.Of(payload), null));

        public void Change(ConfigurationChange change)
        {
            _entries.Add(new Entry(EntryKind.Configuration, change.RingId, 0, 0, default, default, change));
            _ring = change.RingId;
            _members = change.Members;
            _piece = -1;
        }

        /// <summary>This run's events, from the configuration it started in; the next run starts in the one this one ended in.</summary>
        public NodeEvent[] Take()
        {
            var events = new List<NodeEvent>(_entries.Count + 1) { Regular(_runRing, _runMembers, ValueList<NodeId>.Empty, ValueList<NodeId>.Empty) };
            foreach (var e in _entries)
            {
                switch (e.Kind)
                {
                    case EntryKind.Delivered:
                        events.Add(new MessageDelivered(new Delivered(e.Ring, e.Seq, e.Sender, DeliveryGuarantee.Agreed, e.Id.Bytes(), e.Piece)));
                        break;
                    case EntryKind.Submitted:
                        events.Add(new MessageSubmitted(e.Id.Bytes()));
                        break;
                    case EntryKind.Configuration:
                        var change = e.Change!;
                        var cameAlong = new ValueList<NodeId>(change.Members.Except(change.Joined));
                        events.Add(new ConfigurationInstalled(new ConfigurationChanged(ConfigurationKind.Transitional, change.RingId, cameAlong, ValueList<NodeId>.Empty, change.Left)));
                        events.Add(Regular(change.RingId, change.Members, change.Joined, change.Left));
                        break;
                }
            }
            _entries = [];
            _runRing = _ring;
            _runMembers = _members;
            return [.. events];
        }

        private static ConfigurationInstalled Regular(RingId ring, ValueList<NodeId> members, ValueList<NodeId> joined, ValueList<NodeId> left) =>
            new(new ConfigurationChanged(ConfigurationKind.Regular, ring, members, joined, left));
    }

    private enum EntryKind : byte { Delivered, Submitted, Configuration }

    private readonly record struct Entry(EntryKind Kind, RingId Ring, uint Seq, int Piece, NodeId Sender, MessageId Id, ConfigurationChange? Change);

    /// <summary>The first <see cref="IdBytes"/> bytes of a payload, held by value.</summary>
    private readonly record struct MessageId(UInt128 Value, byte Length)
    {
        public static MessageId Of(ReadOnlySpan<byte> payload)
        {
            Span<byte> first = stackalloc byte[IdBytes];
            var length = Math.Min(IdBytes, payload.Length);
            payload[..length].CopyTo(first);
            return new MessageId(System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(first), (byte)length);
        }

        public ValueList<byte> Bytes()
        {
            var bytes = new byte[IdBytes];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, Value);
            return new ValueList<byte>(ImmutableArray.Create(bytes, 0, Length));
        }
    }
}
