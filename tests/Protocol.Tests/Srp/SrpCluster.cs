using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Verification;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Srp;

/// <summary>
/// A small deterministic network of <see cref="TotemSrp"/> engines for tests: one virtual clock, an event
/// queue ordered by (time, insertion), seeded loss/duplication/reordering and per-link blocking.
/// </summary>
internal sealed class SrpCluster
{
    private readonly PriorityQueue<Action, (long Time, long Seq)> _events = new();
    private long _eventSeq;
    private readonly Func<int, TotemTimeouts> _timeouts;

    public SrpCluster(int seed, IEnumerable<uint> nodeIds, TotemTimeouts? timeouts = null)
    {
        Rng = new Random(seed);
        Seed = seed;
        foreach (var id in nodeIds) Nodes[new NodeId(id)] = new SimNode(new NodeId(id));
        var fixedTimeouts = timeouts ?? CorosyncDefaults.For(Nodes.Count);
        _timeouts = _ => fixedTimeouts;
    }

    public int Seed { get; }
    public Random Rng { get; }
    public long Now { get; private set; }
    public SortedDictionary<NodeId, SimNode> Nodes { get; } = new();
    public double Loss { get; set; }
    public double Duplication { get; set; }
    public int MinDelayMs { get; set; }
    public int MaxDelayMs { get; set; }
    /// <summary>Return true to drop a datagram (from, to, message) on purpose.</summary>
    public Func<NodeId, NodeId, TotemMessage, bool>? DropFilter { get; set; }
    public HashSet<(NodeId, NodeId)> BlockedLinks { get; } = new();
    public long DatagramsSent { get; private set; }
    /// <summary>When set, every submission, delivery, configuration, crash and restart is recorded for the invariant checker.</summary>
    public DeliveryRecorder? Recorder { get; set; }

    public SimNode this[uint id] => Nodes[new NodeId(id)];

    public void BootAll(long staggerMs = 0)
    {
        var at = Now;
        foreach (var node in Nodes.Values)
        {
            var id = node.Id;
            Schedule(at, () => Boot(id));
            at += staggerMs;
        }
    }

    public void Boot(NodeId id)
    {
        var node = Nodes[id];
        if (node.Engine is not null)
        {
            if (node.Up) throw new InvalidOperationException($"node {id} booted while running; crash it first");
            Recorder?.RecordRestart(id);
        }
        node.Engine = new TotemSrp(new SrpOptions(id, _timeouts(Nodes.Count)) { InitialRingSeq = node.HighestRingSeq });
        node.Up = true;
        node.Incarnation++;
        node.Timers.Clear();
        var outputs = new List<SrpOutput>();
        node.Engine.Start(Now, outputs);
        Apply(node, outputs);
    }

    public void Crash(uint id)
    {
        var node = this[id];
        if (node.Up) Recorder?.RecordCrash(node.Id);
        node.Up = false;
        node.Timers.Clear();
        node.Incarnation++;
    }

    /// <param name="size">At least the 8 bytes that name the message; the rest is padding that <see cref="Decode"/> checks.</param>
    public void Submit(uint id, DeliveryGuarantee guarantee = DeliveryGuarantee.Agreed, int size = 8)
    {
        var node = this[id];
        var payload = Payload(id, node.NextMessage++, size);
        if (node.Up) Recorder?.RecordSubmitted(node.Id, payload);
        Input(node, new SubmitMessage(payload, guarantee));
    }

    public static ValueList<byte> Payload(uint node, int index, int size = 8)
    {
        var bytes = new byte[Math.Max(8, size)];
        BitConverter.GetBytes(((long)node << 32) | (uint)index).CopyTo(bytes, 0);
        for (var i = 8; i < bytes.Length; i++) bytes[i] = Padding(bytes, i);
        return bytes.ToValueList();
    }

    private static byte Padding(ReadOnlySpan<byte> name, int at) => (byte)(name[at % 8] + at);

    /// <summary>The message's name; throws when its padding is not what <see cref="Payload"/> wrote (a reassembly mixed bytes up).</summary>
    public static (uint Node, int Index) Decode(ValueList<byte> payload)
    {
        var bytes = payload.Items.AsSpan();
        var value = BitConverter.ToInt64(bytes);
        for (var i = 8; i < bytes.Length; i++)
            if (bytes[i] != Padding(bytes, i))
                throw new InvalidOperationException($"message {value >> 32}/{value & 0xFFFFFFFF} of {bytes.Length} bytes is corrupted at byte {i}");
        return ((uint)(value >> 32), (int)(value & 0xFFFFFFFF));
    }

    public void Leave(uint id)
    {
        var node = this[id];
        Input(node, new LeaveRing());
        if (node.Up) Recorder?.RecordCrash(node.Id);
        node.Up = false;
        node.Timers.Clear();
    }

    public void Partition(params uint[][] groups)
    {
        BlockedLinks.Clear();
        foreach (var a in Nodes.Keys)
        foreach (var b in Nodes.Keys)
            if (Array.FindIndex(groups, g => g.Contains(a.Value)) != Array.FindIndex(groups, g => g.Contains(b.Value)))
                BlockedLinks.Add((a, b));
    }

    public void Heal() => BlockedLinks.Clear();

    public void Schedule(long at, Action action) => _events.Enqueue(action, (at, _eventSeq++));

    public void RunUntil(long time) => RunUntilInternal(time, null);

    public void RunFor(long ms) => RunUntilInternal(Now + ms, null);

    /// <summary>Runs until the condition holds (checked after every event) or the time limit; returns whether it held.</summary>
    public bool RunUntil(Func<bool> condition, long maxTime) => RunUntilInternal(maxTime, condition);

    private bool RunUntilInternal(long maxTime, Func<bool>? condition)
    {
        if (condition?.Invoke() == true) return true;
        var sameTime = 0L;
        while (_events.TryPeek(out _, out var key) && key.Time <= maxTime)
        {
            sameTime = key.Time == Now ? sameTime + 1 : 0;
            if (sameTime > 100_000)
                throw new InvalidOperationException($"seed {Seed}: 100000 events at virtual time {Now} ms without time advancing (livelock): " +
                    string.Join(" | ", Nodes.Values.SelectMany(n => n.Outputs.TakeLast(14).Where(o => o.Output is SendMessage or StateChanged).Select(o => $"n{n.Id} {n.Engine?.State} {o.Output}"))));
            var action = _events.Dequeue();
            Now = key.Time;
            action();
            if (condition?.Invoke() == true) return true;
        }
        Now = Math.Max(Now, maxTime);
        return condition?.Invoke() ?? true;
    }

    private void Input(SimNode node, SrpInput input)
    {
        if (!node.Up || node.Engine is null) return;
        var outputs = new List<SrpOutput>();
        node.Engine.Handle(input, Now, outputs);
        Apply(node, outputs);
    }

    private void Apply(SimNode node, List<SrpOutput> outputs)
    {
        foreach (var output in outputs)
        {
            node.Outputs.Add((Now, output));
            Recorder?.Record(node.Id, output);
            switch (output)
            {
                case SendMessage send:
                    Transmit(node.Id, send);
                    break;
                case StartTimer start:
                {
                    var generation = ++node.TimerGeneration;
                    node.Timers[start.Timer] = generation;
                    var incarnation = node.Incarnation;
                    var timer = start.Timer;
                    Schedule(Now + start.DelayMs, () =>
                    {
                        if (node.Incarnation != incarnation || !node.Up) return;
                        if (!node.Timers.TryGetValue(timer, out var g) || g != generation) return;
                        node.Timers.Remove(timer);
                        Input(node, new TimerExpired(timer));
                    });
                    break;
                }
                case StopTimer stop:
                    node.Timers.Remove(stop.Timer);
                    break;
                case Delivered delivered:
                    node.Delivered.Add(delivered);
                    node.History.Add(delivered);
                    break;
                case ConfigurationChanged change:
                    node.History.Add(change);
                    if (change.Kind != ConfigurationKind.Regular) break;
                    node.Regular.Add((Now, change));
                    // The engine alone runs no services: its sync is complete at once (ServiceSync has its own tests),
                    // and the ring's application traffic is released as the node would after its barrier.
                    Recorder?.RecordSyncCompleted(node.Id, change.RingId);
                    Input(node, new TransAck(change.RingId));
                    break;
                case RingSeqObserved seen:
                    node.HighestRingSeq = Math.Max(node.HighestRingSeq, seen.RingSeq);
                    break;
            }
        }
    }

    private void Transmit(NodeId from, SendMessage send)
    {
        if (send.Destination is { } destination)
        {
            Assert.NotEqual(from, destination);
            Deliver(from, destination, send.Message);
        }
        else
        {
            foreach (var to in Nodes.Keys)
                if (to != from) Deliver(from, to, send.Message);
        }
    }

    private void Deliver(NodeId from, NodeId to, TotemMessage message)
    {
        DatagramsSent++;
        if (BlockedLinks.Contains((from, to))) return;
        if (DropFilter?.Invoke(from, to, message) == true) return;
        if (Loss > 0 && Rng.NextDouble() < Loss) return;
        var copies = Duplication > 0 && Rng.NextDouble() < Duplication ? 2 : 1;
        for (var c = 0; c < copies; c++)
        {
            var delay = MaxDelayMs > MinDelayMs ? Rng.Next(MinDelayMs, MaxDelayMs + 1) : MinDelayMs;
            var target = Nodes[to];
            var incarnation = target.Incarnation;
            Schedule(Now + delay, () =>
            {
                if (!target.Up || target.Incarnation != incarnation) return;
                Input(target, new MessageReceived(message));
            });
        }
    }

    public bool AllOperationalWith(IEnumerable<uint> members)
    {
        var set = members.Select(m => new NodeId(m)).OrderBy(n => n).ToList();
        var ring = this[set[0].Value].Engine?.RingId;
        foreach (var id in set)
        {
            var node = Nodes[id];
            if (!node.Up || node.Engine is null) return false;
            if (node.Engine.State != SrpState.Operational) return false;
            if (!node.Engine.Members.SequenceEqual(set)) return false;
            if (node.Engine.RingId != ring) return false;
        }
        return true;
    }

    internal sealed class SimNode(NodeId id)
    {
        public NodeId Id { get; } = id;
        public TotemSrp? Engine { get; set; }
        public bool Up { get; set; }
        public int Incarnation { get; set; }
        public long TimerGeneration { get; set; }
        public Dictionary<SrpTimer, long> Timers { get; } = new();
        public List<(long Time, SrpOutput Output)> Outputs { get; } = new();
        public List<Delivered> Delivered { get; } = new();
        /// <summary>Deliveries and configuration changes in the order the application saw them.</summary>
        public List<SrpOutput> History { get; } = new();
        public List<(long Time, ConfigurationChanged Change)> Regular { get; } = new();
        public ulong HighestRingSeq { get; set; }
        public int NextMessage { get; set; }

        public IEnumerable<string> Logs(string contains) =>
            Outputs.Select(o => o.Output).OfType<SrpLog>().Where(l => l.Template.Contains(contains, StringComparison.Ordinal))
                .Select(l => l.Template);
    }
}
