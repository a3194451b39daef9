using Totem.Protocol.Store;
using Totem.Protocol.Sync;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Store;

/// <summary>
/// Several store engines, each with its node's <see cref="ServiceSync"/>, on an idealised ring: each partition delivers
/// its members' multicasts (sync and store messages, through their codecs) to all of them in one agreed order, as the
/// Totem ring would; a new ring runs the service synchronization as TokenHolder does. Old-ring messages still in flight
/// at a membership change are delivered in the transitional configuration to the members that stay with their sender
/// (totemsrp's recovery filter) and to no one else. Verdicts: a partition is quorate when it holds a majority of the
/// <see cref="Size"/> configured nodes, unless a test sets them. A message is delivered to every member of its partition at
/// once, so a token rotation a writer waits for (<see cref="AwaitTokenRotation"/>) comes after each round of deliveries;
/// <see cref="DeliverOnlyTo"/> opens the window in between: some members delivered a message the others only received.
/// </summary>
internal sealed class StoreCluster
{
    public const byte StoreService = 4;
    private const byte SyncService = 2;

    internal sealed class Node(NodeId id, StoreState? snapshot)
    {
        public NodeId Id { get; } = id;
        public ServiceSync Sync { get; } = new(id, new Dictionary<byte, string> { [StoreService] = "totem store v1" });
        public StoreEngine Store { get; } = new(id, snapshot);
        public Dictionary<ulong, StoreOutput> Answers { get; } = new();
        public List<KeyChanged> Changes { get; } = new();
        public List<StoreOutput> Outputs { get; } = new();
        public StoreState? Persisted { get; set; }
        public List<NodeId> Group { get; set; } = new();
        public int SyncsCompleted { get; set; }
        public RingId? RotationAwaited { get; set; }
    }

    private sealed class Group(RingId ring, List<NodeId> members)
    {
        public RingId Ring { get; } = ring;
        public List<NodeId> Members { get; } = members;
        public Queue<(NodeId Sender, byte Service, byte[] Body)> Stream { get; } = new();
        // Delivered by some members only (each with who delivered it); the others received it and deliver it later.
        public List<((NodeId Sender, byte Service, byte[] Body) Item, HashSet<NodeId> DeliveredBy)> Partly { get; } = new();
    }

    private readonly Dictionary<NodeId, Node> _nodes = new();
    private readonly List<Group> _groups = new();
    private ulong _ringSeq;
    private ulong _requestId;

    public StoreCluster(int size)
    {
        Size = size;
        for (var i = 1; i <= size; i++) _nodes[new NodeId((uint)i)] = new Node(new NodeId((uint)i), null);
    }

    public int Size { get; }

    /// <summary>Store messages multicast so far, by kind, for counting transfers.</summary>
    public List<StoreMessage> Multicasts { get; } = new();

    public Node this[uint id] => _nodes[new NodeId(id)];

    public IEnumerable<Node> Up => _nodes.Values;

    public RingId RingOf(uint id) => _groups.Single(g => g.Members.Contains(new NodeId(id))).Ring;

    /// <summary>Installs new rings: each array is one partition (nodes in none are down). Old-ring traffic in flight is recovered first.</summary>
    public void Form(params uint[][] partitions) => Form(partitions, settle: true);

    /// <param name="unsent">
    /// How many of each old ring's last messages were still in their sender's send queue: not recovered, but sent in the
    /// sender's new ring (as totemsrp's new-message queue survives a membership change).
    /// </param>
    public void Form(uint[][] partitions, bool settle, Func<NodeId, bool>? quorate = null, int unsent = 0)
    {
        var next = partitions.Select(p => p.Select(id => new NodeId(id)).OrderBy(n => n).ToList()).ToList();
        var carried = new List<(NodeId Sender, byte Service, byte[] Body)>();
        foreach (var old in _groups)
        {
            var kept = Math.Max(0, old.Stream.Count - unsent);
            var items = old.Stream.ToList();
            old.Stream.Clear();
            foreach (var item in items.Take(kept)) old.Stream.Enqueue(item);
            carried.AddRange(items.Skip(kept).Where(i => _nodes.ContainsKey(i.Sender)));
            // Before the transitional configuration, in the old one: messages some member of the transitional configuration
            // delivered (totemsrp delivers safe messages up to the highest any of them delivered).
            foreach (var (item, deliveredBy) in old.Partly)
                foreach (var member in old.Members.Where(m => _nodes.ContainsKey(m) && !deliveredBy.Contains(m)))
                    if (TransitionalOf(member, old, next).Any(deliveredBy.Contains))
                    {
                        deliveredBy.Add(member);
                        Deliver(_nodes[member], item, old);
                    }
            foreach (var member in old.Members.Where(_nodes.ContainsKey))
            {
                var transitional = TransitionalOf(member, old, next);
                var node = _nodes[member];
                Apply(node, node.Sync.Handle(new TransitionalDelivered(transitional.ToValueList())));
                Apply(node, node.Store.Handle(new TransitionalConfiguration(transitional.ToValueList())));
            }
            // The rest of them only to those whose transitional configuration holds their sender (the recovery filter).
            foreach (var (item, deliveredBy) in old.Partly)
                foreach (var member in old.Members.Where(m => _nodes.ContainsKey(m) && !deliveredBy.Contains(m)))
                    if (TransitionalOf(member, old, next).Contains(item.Sender))
                        Deliver(_nodes[member], item, old);
            old.Partly.Clear();
            // Recovery: each transitional configuration delivers the old ring's messages of its own members.
            while (old.Stream.TryDequeue(out var item))
                foreach (var member in old.Members.Where(_nodes.ContainsKey))
                    if ((next.FirstOrDefault(p => p.Contains(member)) ?? new List<NodeId>()).Contains(item.Sender))
                        Deliver(_nodes[member], item, old);
        }
        _groups.Clear();
        foreach (var members in next)
        {
            var group = new Group(new RingId(members[0], _ringSeq += 4), members);
            _groups.Add(group);
            foreach (var item in carried.Where(c => members.Contains(c.Sender))) group.Stream.Enqueue(item);
            var majority = members.Count * 2 > Size;
            foreach (var member in members)
            {
                var node = _nodes[member];
                node.Group = members;
                // votequorum is synchronized before the store (lower service id): its verdict is in when the store's turn comes.
                Apply(node, node.Store.Handle(new QuorumVerdictChanged(quorate?.Invoke(member) ?? majority, group.Ring)));
                Apply(node, node.Sync.Handle(new RegularDelivered(group.Ring, members.ToValueList())));
            }
        }
        if (settle) Settle();
    }

    private static List<NodeId> TransitionalOf(NodeId member, Group old, List<List<NodeId>> next)
    {
        var stays = next.FirstOrDefault(p => p.Contains(member)) ?? new List<NodeId>();
        return old.Members.Where(stays.Contains).ToList();
    }

    /// <summary>A node stops: its engines are gone, what it persisted stays.</summary>
    public void Crash(uint id)
    {
        var node = this[id];
        _nodes.Remove(node.Id);
        Crashed[node.Id] = node.Persisted;
    }

    public Dictionary<NodeId, StoreState?> Crashed { get; } = new();

    /// <summary>A crashed node starts again from what it persisted (it joins at the next <see cref="Form(uint[][])"/>).</summary>
    public void Restart(uint id, StoreState? snapshot = null)
    {
        var nodeId = new NodeId(id);
        _nodes[nodeId] = new Node(nodeId, snapshot ?? Crashed[nodeId]);
        Crashed.Remove(nodeId);
    }

    public void SetQuorate(uint id, bool quorate) => Apply(this[id], this[id].Store.Handle(new QuorumVerdictChanged(quorate, RingOf(id))));

    public ulong Put(uint id, string path, string value, ulong? expected = null) =>
        Write(id, StoreOp.Put, path, System.Text.Encoding.UTF8.GetBytes(value), expected);

    public ulong Remove(uint id, string path, ulong? expected = null) => Write(id, StoreOp.Remove, path, [], expected);

    public ulong Write(uint id, StoreOp op, string path, byte[] value, ulong? expected = null)
    {
        var request = ++_requestId;
        var node = this[id];
        Apply(node, node.Store.Handle(new WriteRequested(request, op, path, value.ToValueList(), expected)));
        return request;
    }

    /// <summary>Delivers up to <paramref name="count"/> messages in each partition (or only in <paramref name="member"/>'s); false when nothing was left.</summary>
    /// <remarks>Each member first delivers what <see cref="DeliverOnlyTo"/> left it; the token then goes round.</remarks>
    public bool Deliver(int count, uint? member = null)
    {
        var any = false;
        foreach (var group in _groups.Where(g => member is null || g.Members.Contains(new NodeId(member.Value))))
        {
            foreach (var (item, deliveredBy) in group.Partly)
                foreach (var receiver in group.Members.Where(m => _nodes.ContainsKey(m) && !deliveredBy.Contains(m)))
                    Deliver(_nodes[receiver], item, group);
            group.Partly.Clear();
            for (var i = 0; i < count && group.Stream.TryDequeue(out var item); i++)
            {
                any = true;
                foreach (var receiver in group.Members.Where(_nodes.ContainsKey)) Deliver(_nodes[receiver], item, group);
            }
            RotateToken(group);
        }
        return any;
    }

    /// <summary>
    /// The next message of the partition of <paramref name="writer"/> is delivered by <paramref name="members"/> only, as safe
    /// delivery lets the members where the token first showed it everywhere deliver it before the rest (of them, those that
    /// delivered the messages before it); no token follows.
    /// </summary>
    /// <returns>False when <paramref name="writer"/>'s partition had nothing left to deliver.</returns>
    public bool DeliverOnlyTo(uint writer, params uint[] members)
    {
        var group = GroupOf(new NodeId(writer));
        if (!group.Stream.TryDequeue(out var item)) return false;
        var deliveredBy = members.Select(m => new NodeId(m)).ToHashSet();
        // In order: only a member that delivered the messages before it can deliver this one.
        if (group.Partly.Count > 0) deliveredBy.IntersectWith(group.Partly[^1].DeliveredBy);
        foreach (var receiver in deliveredBy) Deliver(_nodes[receiver], item, group);
        group.Partly.Add((item, deliveredBy));
        return true;
    }

    /// <summary>Every member of the partition has delivered all it was given: a writer's next token shows it.</summary>
    private void RotateToken(Group group)
    {
        var waiting = group.Members.Where(m => _nodes.ContainsKey(m) && _nodes[m].RotationAwaited == group.Ring).ToList();
        while (waiting.Count > 0)
        {
            foreach (var member in waiting)
            {
                var node = _nodes[member];
                node.RotationAwaited = null;
                Apply(node, node.Store.Handle(new TokenRotated(group.Ring)));
            }
            waiting = waiting.Where(m => _nodes[m].RotationAwaited == group.Ring).ToList();
        }
    }

    public void Settle()
    {
        while (Deliver(int.MaxValue)) { }
    }

    private void Deliver(Node node, (NodeId Sender, byte Service, byte[] Body) item, Group group)
    {
        if (item.Service == SyncService)
            Apply(node, node.Sync.Handle(new SyncMessageDelivered(item.Sender, SyncMessageCodec.Decode(item.Body))));
        else
            Apply(node, node.Store.Handle(new StoreMessageDelivered(item.Sender, StoreMessageCodec.Decode(item.Body))));
    }

    private Group GroupOf(NodeId id) => _groups.Single(g => g.Members.Contains(id));

    private void Apply(Node node, IReadOnlyList<SyncOutput> outputs)
    {
        foreach (var output in outputs)
        {
            switch (output)
            {
                case MulticastSync m:
                    GroupOf(node.Id).Stream.Enqueue((node.Id, SyncService, SyncMessageCodec.Encode(m.Message)));
                    break;
                case InitService init:
                    Apply(node, node.Store.Handle(new StoreSyncInit(init.Ring, init.Members)));
                    break;
                case ProcessService process:
                    Apply(node, node.Store.Handle(new StoreSyncProcess(process.Ring)));
                    break;
                case ActivateService activate:
                    Apply(node, node.Store.Handle(new StoreSyncActivate(activate.Ring)));
                    break;
                case AbortService:
                    Apply(node, node.Store.Handle(new StoreSyncAbort()));
                    break;
                case SyncCompleted:
                    node.SyncsCompleted++;
                    break;
            }
        }
    }

    private void Apply(Node node, IReadOnlyList<StoreOutput> outputs)
    {
        foreach (var output in outputs)
        {
            node.Outputs.Add(output);
            switch (output)
            {
                case MulticastStore m:
                    var body = StoreMessageCodec.Encode(m.Message);
                    Assert.True(body.Length <= StoreLimits.MaxMessageBytes, $"a store message of {body.Length} bytes");
                    Multicasts.Add(m.Message);
                    GroupOf(node.Id).Stream.Enqueue((node.Id, StoreService, body));
                    break;
                case StoreSyncProcessed processed:
                    Apply(node, node.Sync.Handle(new ServiceProcessed(StoreService, processed.Ring)));
                    break;
                case AwaitTokenRotation rotation:
                    Assert.True(node.RotationAwaited != rotation.Ring, $"node {node.Id} asked twice for a token rotation of ring {rotation.Ring}");
                    node.RotationAwaited = rotation.Ring;
                    break;
                case WriteCompleted or WriteFailed:
                    var id = output is WriteCompleted c ? c.RequestId : ((WriteFailed)output).RequestId;
                    Assert.True(node.Answers.TryAdd(id, output), $"request {id} answered twice on node {node.Id}");
                    break;
                case KeyChanged change:
                    node.Changes.Add(change);
                    break;
                case PersistSnapshot persist:
                    // What a restart loads goes through the snapshot codec, as the file would.
                    node.Persisted = StoreStateCodec.Decode(StoreStateCodec.Encode(persist.State));
                    break;
            }
        }
    }

    /// <summary>Every member of every partition holds the same state and is synchronized in its ring.</summary>
    public void AssertPartitionsAgree()
    {
        foreach (var group in _groups)
        {
            var first = _nodes[group.Members[0]].Store;
            foreach (var member in group.Members)
            {
                var store = _nodes[member].Store;
                Assert.True(store.Synchronized, $"node {member} is not synchronized in ring {group.Ring}");
                Assert.Equal(Convert.ToHexString(first.State.Digest), Convert.ToHexString(store.State.Digest));
                Assert.Equal(first.State.Version, store.State.Version);
                Assert.Equal(first.State.Epoch, store.State.Epoch);
            }
        }
    }

    public string? Value(uint id, string path) =>
        this[id].Store.Get(StorePath.Parse(path)).Value is { } entry ? System.Text.Encoding.UTF8.GetString(entry.Value.Items.AsSpan()) : null;

    public StoreOutput Answer(uint id, ulong request) =>
        this[id].Answers.TryGetValue(request, out var answer) ? answer : throw new Xunit.Sdk.XunitException($"request {request} has no answer on node {id}");
}
