using System.Net;
using Totem.Host.Totemd.Discovery;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Discovery;

public sealed class LocalNodeSelectorTests
{
    private static readonly IReadOnlyDictionary<NodeId, IPEndPoint> LocalRing =
        Enumerable.Range(1, 5).ToDictionary(i => new NodeId((uint)i), i => new IPEndPoint(IPAddress.Parse($"127.0.0.{i}"), 5405));

    private static readonly IPAddress[] LoopbackOnly = [IPAddress.Parse("127.0.0.1")];

    [Fact]
    public void Nodeid_flag_picks_the_entry_and_its_address()
    {
        var local = LocalNodeSelector.Select(LocalRing, 3, null, LoopbackOnly);
        Assert.Equal(new NodeId(3), local.NodeId);
        Assert.Equal(IPAddress.Parse("127.0.0.3"), local.BindAddress);
    }

    [Fact]
    public void Bind_flag_picks_the_entry_with_that_address() =>
        Assert.Equal(new NodeId(4), LocalNodeSelector.Select(LocalRing, null, IPAddress.Parse("127.0.0.4"), LoopbackOnly).NodeId);

    [Fact]
    public void Without_flags_the_one_local_address_decides() =>
        Assert.Equal(new NodeId(1), LocalNodeSelector.Select(LocalRing, null, null, LoopbackOnly).NodeId);

    [Fact]
    public void Several_local_matches_ask_for_a_flag()
    {
        var all = LocalRing.Values.Select(v => v.Address).ToArray();
        var ex = Assert.Throws<LocalNodeException>(() => LocalNodeSelector.Select(LocalRing, null, null, all));
        Assert.Contains("give --nodeid or --bind", ex.Message);
    }

    [Fact]
    public void Unknown_nodeid_lists_the_known_ones()
    {
        var ex = Assert.Throws<LocalNodeException>(() => LocalNodeSelector.Select(LocalRing, 9, null, LoopbackOnly));
        Assert.Contains("--nodeid 9", ex.Message);
        Assert.Contains("1, 2, 3, 4, 5", ex.Message);
    }

    [Fact]
    public void No_local_address_says_so() =>
        Assert.Throws<LocalNodeException>(() => LocalNodeSelector.Select(LocalRing, null, null, [IPAddress.Parse("10.9.9.9")]));
}
