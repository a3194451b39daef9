using System.Text;
using Totem.Protocol.Srp;
using Totem.Protocol.Verification;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Verification;

/// <summary>Builds node histories for the checker in a few words; payloads name their message ("source/ring/seq").</summary>
internal sealed class RunHistory
{
    private readonly DeliveryRecorder _recorder;
    private readonly Dictionary<uint, uint[]> _members = new();

    /// <param name="syncRecorded">The run records sync completions (<see cref="SyncCompleted"/>): the checker judges the service sync invariant.</param>
    public RunHistory(bool syncRecorded = false) =>
        _recorder = new DeliveryRecorder(payload => Encoding.ASCII.GetString(payload.Items.AsSpan()), syncRecorded);

    public static RingId Ring(ulong seq, uint representative = 1) => new(new NodeId(representative), seq);

    public static ValueList<NodeId> Nodes(IEnumerable<uint> ids) => ids.Order().Select(i => new NodeId(i)).ToValueList();

    public static ValueList<byte> Payload(uint source, RingId ring, uint seq) => Encoding.ASCII.GetBytes($"{source}/{ring}/{seq}").ToValueList();

    public DeliveryRecorder Recorder => _recorder;

    /// <summary>The members start together on a first ring: each sees a transitional configuration of itself, then the ring.</summary>
    public RunHistory Start(RingId ring, params uint[] members)
    {
        foreach (var node in members) Transition(ring, [node], members, node);
        return this;
    }

    /// <summary>corosync's configuration change at each of <paramref name="nodes"/>: transitional (left computed), then regular (joined computed).</summary>
    public RunHistory Transition(RingId ring, uint[] transitional, uint[] members, params uint[] nodes)
    {
        foreach (var node in nodes)
        {
            Transitional(node, ring, transitional);
            Regular(node, ring, members, transitional);
        }
        return this;
    }

    public RunHistory Transitional(uint node, RingId ring, uint[] transitional)
    {
        var left = _members.TryGetValue(node, out var old) ? old.Except(transitional) : [];
        return Config(node, new ConfigurationChanged(ConfigurationKind.Transitional, ring, Nodes(transitional), ValueList<NodeId>.Empty, Nodes(left)));
    }

    public RunHistory Regular(uint node, RingId ring, uint[] members, uint[] transitional)
    {
        _members[node] = members;
        return Config(node, new ConfigurationChanged(ConfigurationKind.Regular, ring, Nodes(members), Nodes(members.Except(transitional)), ValueList<NodeId>.Empty));
    }

    public RunHistory Config(uint node, ConfigurationChanged change)
    {
        if (change.Kind == ConfigurationKind.Regular) _members[node] = change.Members.Select(n => n.Value).ToArray();
        _recorder.RecordConfiguration(new NodeId(node), change);
        return this;
    }

    /// <summary>The service synchronization of <paramref name="ring"/> completed at each of <paramref name="nodes"/>.</summary>
    public RunHistory SyncCompleted(RingId ring, params uint[] nodes)
    {
        foreach (var node in nodes) _recorder.RecordSyncCompleted(new NodeId(node), ring);
        return this;
    }

    public RunHistory Deliver(RingId ring, uint seq, uint source, params uint[] nodes) =>
        DeliverPayload(ring, seq, source, Payload(source, ring, seq), nodes);

    public RunHistory DeliverPayload(RingId ring, uint seq, uint source, ValueList<byte> payload, params uint[] nodes)
    {
        foreach (var node in nodes)
            _recorder.Record(new NodeId(node), new Delivered(ring, seq, new NodeId(source), DeliveryGuarantee.Agreed, payload));
        return this;
    }

    /// <summary>The source submits the message that will travel as <paramref name="ring"/> seq <paramref name="seq"/>.</summary>
    public RunHistory Submit(uint source, RingId ring, uint seq)
    {
        _recorder.RecordSubmitted(new NodeId(source), Payload(source, ring, seq));
        return this;
    }

    public RunHistory Reject(uint source, RingId ring, uint seq)
    {
        _recorder.Record(new NodeId(source), new SubmitRejected(Payload(source, ring, seq), "queue full"));
        return this;
    }

    public RunHistory Crash(uint node)
    {
        _recorder.RecordCrash(new NodeId(node));
        _members.Remove(node);
        return this;
    }

    public RunHistory Restart(uint node)
    {
        _recorder.RecordRestart(new NodeId(node));
        return this;
    }

    public IReadOnlyList<string> Check(bool livenessExpected = false) => _recorder.Check(livenessExpected);
}
