using Totem.Nodes.Transport;
using Totem.Protocol.Links;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Transport;

/// <summary>A ring found by DNS grows after the start: hosts added later get knet's heartbeat like those known at the start.</summary>
public sealed class LinkedTransportHostsTests
{
    private sealed class ManualTimer : ILinkTimer
    {
        private readonly List<(TimeSpan At, Action Action)> _alarms = [];
        public TimeSpan Now { get; private set; }

        public void After(TimeSpan delay, Action action) => _alarms.Add((Now + delay, action));

        public void Advance(TimeSpan by)
        {
            Now += by;
            while (_alarms.Where(a => a.At <= Now).OrderBy(a => a.At).FirstOrDefault() is { Action: not null } due)
            {
                _alarms.Remove(due);
                due.Action();
            }
        }
    }

    private sealed class Link(NodeId local) : IDatagramTransport
    {
        public List<(NodeId To, LinkFrameKind Kind)> Sent { get; } = [];
        public NodeId LocalNode => local;
        public TransportCounters Counters { get; } = new();
        public void Start(Action<ReceivedDatagram> onDatagram) { }

        public void Send(NodeId destination, byte[] datagram)
        {
            Assert.True(LinkFrame.TryRead(datagram, out var frame, out var error), error);
            Sent.Add((destination, frame.Kind));
        }

        public void SendToAll(byte[] datagram) => throw new InvalidOperationException("not expected here");
        public void Dispose() { }
    }

    [Fact]
    public void A_host_added_after_the_start_is_pinged_on_every_link_and_a_known_one_is_not_added_twice()
    {
        var local = new NodeId(1);
        var settings = new[]
        {
            new LinkSettings(0, 1, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1000), 2),
            new LinkSettings(1, 1, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1000), 2),
        };
        var links = new Dictionary<uint, Link> { [0] = new(local), [1] = new(local) };
        var timer = new ManualTimer();
        using var transport = new LinkedTransport(new LinkTable(local, LinkMode.Passive, settings),
            links.ToDictionary(l => l.Key, l => (IDatagramTransport)l.Value), [local, new NodeId(2)], timer, epoch: 1);
        transport.Start(_ => { });
        timer.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([new NodeId(2)], transport.Hosts);
        Assert.DoesNotContain(links[0].Sent, s => s.To == new NodeId(3));

        // Replica 3 appears in the DNS answer 300 ms later: it is pinged on both links at once, not at the next interval.
        timer.Advance(TimeSpan.FromMilliseconds(300));
        transport.AddHosts([local, new NodeId(2), new NodeId(3)]);
        timer.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([new NodeId(2), new NodeId(3)], transport.Hosts);
        foreach (var link in links.Values)
        {
            Assert.Single(link.Sent, s => s.To == new NodeId(3) && s.Kind == LinkFrameKind.Ping);
            Assert.Single(link.Sent, s => s.To == new NodeId(2) && s.Kind == LinkFrameKind.Ping);
        }
    }
}
