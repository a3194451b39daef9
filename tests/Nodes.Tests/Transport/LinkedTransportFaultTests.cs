using Totem.Nodes.Control;
using Totem.Nodes.Transport;
using Totem.Protocol.Links;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Transport;

/// <summary>
/// Two nodes' <see cref="LinkedTransport"/>s over two in-memory links on a manual clock: a link fault at one node cuts
/// the link both ways (its heartbeat goes down at both ends), the ring's datagrams move to the other link, and the
/// per-link counters the status and metrics show count what happened.
/// </summary>
public sealed class LinkedTransportFaultTests
{
    private static readonly NodeId A = new(1);
    private static readonly NodeId B = new(2);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void A_link_fault_at_one_node_takes_the_link_down_at_both_ends_and_the_traffic_moves_to_the_other_link()
    {
        var net = new Wire();
        var faults = new FaultShaper(() => 0.5);
        var a = net.Node(A, B, inbound: faults.DecideOnLink);
        var b = net.Node(B, A);
        var received = new List<string>();
        a.Start(d => received.Add(System.Text.Encoding.UTF8.GetString(d.Bytes.Span)));
        b.Start(_ => { });
        net.Run(TimeSpan.FromSeconds(1));
        Assert.True(a.Status(B, 0).Connected && a.Status(B, 1).Connected && b.Status(A, 0).Connected && b.Status(A, 1).Connected);

        b.Send(A, "over link 0"u8.ToArray());
        net.Run(TimeSpan.FromMilliseconds(10));
        faults.Settings = FaultSettings.None.WithLink(0, new LinkFault(0, 0, 100));
        net.Run(Timeout + Interval);
        Assert.False(a.Status(B, 0).Connected);
        Assert.False(b.Status(A, 0).Connected);
        Assert.True(a.Status(B, 1).Connected && b.Status(A, 1).Connected);

        b.Send(A, "over link 1"u8.ToArray());
        net.Run(TimeSpan.FromMilliseconds(10));
        Assert.Equal(["over link 0", "over link 1"], received);

        var fromB = Assert.Single(a.PeerLinks((link, host) => $"{host}@{link}"));
        Assert.Equal(B, fromB.Peer);
        var link0 = fromB.Links.Single(l => l.Link == 0);
        var link1 = fromB.Links.Single(l => l.Link == 1);
        Assert.Equal("2@0", link0.Address);
        Assert.False(link0.Connected);
        Assert.True(link1.Connected);
        Assert.True(link0.Dropped > 0, "B's pings on link 0 were dropped at A");
        Assert.Equal((1L, 1L), (link0.UpCount, link0.DownCount));
        Assert.Equal((1L, 0L), (link1.UpCount, link1.DownCount));
        Assert.Equal(1, link0.RxDataPackets);
        Assert.Equal(1, link1.RxDataPackets);
        Assert.True(link1.PingsSent > 0 && link1.PongsReceived > 0 && link1.LatencySamples == link1.PongsReceived);
        // The wire delivers at once: every round trip is 0 ms.
        Assert.Equal(0, link1.LatencyP50Ms);
        Assert.Equal(0, link1.LatencyP99Ms);

        faults.Settings = FaultSettings.None;
        net.Run(TimeSpan.FromSeconds(1));
        Assert.True(a.Status(B, 0).Connected && b.Status(A, 0).Connected);
    }

    [Fact]
    public void A_delayed_inbound_link_is_held_back_and_delivered_later()
    {
        var net = new Wire();
        var faults = new FaultShaper(() => 0.5);
        var a = net.Node(A, B, inbound: faults.DecideOnLink);
        var b = net.Node(B, A);
        var received = new List<TimeSpan>();
        a.Start(_ => received.Add(net.Clock.Now));
        b.Start(_ => { });
        net.Run(TimeSpan.FromSeconds(1));
        faults.Settings = FaultSettings.None.WithLink(0, new LinkFault(30, 0, 0)).WithLink(1, new LinkFault(30, 0, 0));
        var sent = net.Clock.Now;
        b.Send(A, [1, 2, 3]);
        net.Run(TimeSpan.FromMilliseconds(20));
        Assert.Empty(received);
        net.Run(TimeSpan.FromMilliseconds(20));
        Assert.Equal(sent + TimeSpan.FromMilliseconds(30), Assert.Single(received));
    }

    [Fact]
    public void A_link_socket_shapes_by_the_peers_fault_and_its_links_fault_together()
    {
        var faults = new FaultShaper(() => 0.5);
        faults.Settings = FaultSettings.None.WithAll(new LinkFault(5, 0, 0)).WithLink(1, new LinkFault(10, 0, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(5), faults.ForLink(0).Decide(B));
        Assert.Equal(TimeSpan.FromMilliseconds(15), faults.ForLink(1).Decide(B));
        Assert.Equal(TimeSpan.FromMilliseconds(5), faults.Decide(B));
        faults.Settings = faults.Settings.WithLink(0, new LinkFault(0, 0, 100));
        Assert.Null(faults.ForLink(0).Decide(B));
        Assert.Null(faults.DecideOnLink(0));
        Assert.Equal(TimeSpan.FromMilliseconds(10), faults.DecideOnLink(1));
        faults.Settings = faults.Settings.WithPeer(B, new LinkFault(0, 0, 100));
        Assert.Null(faults.ForLink(1).Decide(B));
        Assert.Equal(TimeSpan.FromMilliseconds(15), faults.ForLink(1).Decide(new NodeId(3)));
    }

    [Fact]
    public void Link_totals_add_up_every_links_socket_counters()
    {
        var one = new TransportCounters();
        var two = new TransportCounters();
        one.OnSealFailure(Protocol.Security.SealFailure.SenderMismatch);
        two.OnSealFailure(Protocol.Security.SealFailure.SenderMismatch);
        two.OnSealFailure(Protocol.Security.SealFailure.Replayed);
        var sum = TransportCounters.Sum([one, two]);
        Assert.Equal(3, sum.Unauthenticated);
        Assert.Equal(2, sum.SealFailures(Protocol.Security.SealFailure.SenderMismatch));
    }

    /// <summary>Two links between nodes, datagrams queued and delivered on the manual clock's next step.</summary>
    private sealed class Wire
    {
        private readonly Dictionary<(NodeId Node, uint Link), Action<ReceivedDatagram>> _receivers = new();
        private readonly Queue<(NodeId To, uint Link, NodeId From, byte[] Bytes)> _inFlight = new();

        public ManualTimer Clock { get; } = new();

        public LinkedTransport Node(NodeId local, NodeId peer, Func<uint, TimeSpan?>? inbound = null)
        {
            var table = new LinkTable(local, LinkMode.Passive, [new LinkSettings(0, 1, Interval, Timeout, 2), new LinkSettings(1, 1, Interval, Timeout, 2)]);
            var links = new Dictionary<uint, IDatagramTransport> { [0] = new End(this, local, 0), [1] = new End(this, local, 1) };
            return new LinkedTransport(table, links, [peer], Clock, epoch: 1) { InboundFault = inbound };
        }

        public void Run(TimeSpan span)
        {
            var until = Clock.Now + span;
            while (true)
            {
                while (_inFlight.TryDequeue(out var d))
                    if (_receivers.TryGetValue((d.To, d.Link), out var receive)) receive(new ReceivedDatagram(d.Bytes, d.From));
                if (!Clock.Step(until)) return;
            }
        }

        private sealed class End(Wire wire, NodeId local, uint link) : IDatagramTransport
        {
            public NodeId LocalNode => local;
            public TransportCounters Counters { get; } = new();
            public void Start(Action<ReceivedDatagram> onDatagram) => wire._receivers[(local, link)] = onDatagram;
            public void Send(NodeId destination, byte[] datagram) => wire._inFlight.Enqueue((destination, link, local, datagram));
            public void SendToAll(byte[] datagram) => throw new NotSupportedException("the tests send to one peer");
            public void Dispose() { }
        }
    }

    /// <summary>Alarms run in time order when the clock is stepped.</summary>
    private sealed class ManualTimer : ILinkTimer
    {
        private readonly List<(TimeSpan At, long Order, Action Action)> _alarms = [];
        private long _order;

        public TimeSpan Now { get; private set; }

        public void After(TimeSpan delay, Action action) => _alarms.Add((Now + delay, _order++, action));

        /// <summary>Runs the next alarm due by <paramref name="until"/>; false (the clock at <paramref name="until"/>) when none is.</summary>
        public bool Step(TimeSpan until)
        {
            if (_alarms.Count == 0 || _alarms.Min(a => a.At) > until)
            {
                Now = until;
                return false;
            }
            var next = _alarms.OrderBy(a => a.At).ThenBy(a => a.Order).First();
            _alarms.Remove(next);
            Now = next.At;
            next.Action();
            return true;
        }
    }
}
