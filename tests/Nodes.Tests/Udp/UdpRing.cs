using System.Net;
using Totem.Nodes.Control;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Security;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Udp;

/// <summary>A ring of real nodes on 127.0.0.1..127.0.0.N over real UDP sockets, in this process.</summary>
internal sealed class UdpRing : IAsyncDisposable
{
    private readonly TotemNode?[] _nodes;
    private readonly PeerTable[] _peers;
    private readonly int _port;
    private readonly NodeOptions[] _options;

    /// <param name="crypto">Each node's seal by its index (1..count); null: crypto none.</param>
    public UdpRing(int count, TotemSettings? totem = null, Func<int, DatagramCrypto?>? crypto = null, bool blockUnlistedIps = true,
        QuorumSettings? quorum = null)
    {
        _port = LoopbackPorts.Udp(count);
        var timeouts = TotemTimeouts.Derive(totem ?? new TotemSettings(), count);
        var nodelist = Enumerable.Range(1, count)
            .Select(i => new NodeEntry(new NodeId((uint)i), $"node{i}", Address(i).ToString(), 1, i))
            .ToList();
        _nodes = new TotemNode?[count];
        _peers = new PeerTable[count];
        _options = new NodeOptions[count];
        for (var i = 0; i < count; i++)
        {
            _peers[i] = new PeerTable();
            _peers[i].Replace(nodelist.Select(n => KeyValuePair.Create(n.NodeId!.Value, new IPEndPoint(IPAddress.Parse(n.RingAddress!), _port))));
            _options[i] = new NodeOptions(new NodeId((uint)(i + 1)), "udp-test", timeouts, quorum ?? QuorumSettings.Default, nodelist, FencingSettings.Default with { Mode = FencingMode.None })
            {
                Crypto = crypto?.Invoke(i + 1),
                BlockUnlistedIps = blockUnlistedIps,
            };
        }
    }

    public int Count => _nodes.Length;

    public static IPAddress Address(int index) => LoopbackPorts.Address(index);

    public TotemNode Node(int index) => _nodes[index - 1] ?? throw new InvalidOperationException($"node {index} is down");

    public IEnumerable<TotemNode> Live => _nodes.Where(n => n is not null)!;

    public void Start(int index)
    {
        var options = _options[index - 1];
        if (_nodes[index - 1] is { } previous) options = options with { InitialRingSeq = previous.Board.HighestRingSeq };
        _nodes[index - 1] = TotemNode.StartUdp(options, new IPEndPoint(Address(index), _port), _peers[index - 1], Serilog.Core.Logger.None);
    }

    public void StartAll()
    {
        for (var i = 1; i <= Count; i++) Start(i);
    }

    /// <summary>kill -9: the node stops at once and sends nothing more.</summary>
    public void Crash(int index)
    {
        Node(index).Crash();
        _nodes[index - 1] = null;
    }

    /// <summary>SIGTERM: the node's orderly shutdown (votequorum's announcement, the leave, the flush), to its end.</summary>
    public async Task<NodeExit> LeaveAndStop(int index)
    {
        var node = Node(index);
        var exit = await node.LeaveAndStopAsync(CancellationToken.None);
        await node.DisposeAsync();
        _nodes[index - 1] = null;
        return exit;
    }

    /// <summary>True when the given nodes are all operational in one ring whose members are exactly them.</summary>
    public bool OneRingOf(params int[] indexes)
    {
        var expected = indexes.Select(i => new NodeId((uint)i)).OrderBy(n => n).ToList();
        RingId? ring = null;
        foreach (var i in indexes)
        {
            var s = Node(i).GetStatus();
            if (s.State != SrpState.Operational || !s.Members.SequenceEqual(expected)) return false;
            if (ring is null) ring = s.RingId;
            else if (ring != s.RingId) return false;
        }
        return true;
    }

    public static async Task<bool> WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            await Task.Delay(50);
        }
        return condition();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
            if (node is not null) await node.DisposeAsync();
    }
}
