using Totem.Nodes.Control;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Facade;

public sealed class FaultSettingsTests
{
    [Theory]
    [InlineData(60_001u, 0u, 0.0, "delay")]
    [InlineData(0u, 60_001u, 0.0, "jitter")]
    [InlineData(0u, 0u, 100.5, "loss")]
    [InlineData(0u, 0u, -1.0, "loss")]
    [InlineData(0u, 0u, double.NaN, "loss")]
    public void Invalid_faults_cannot_be_built(uint delay, uint jitter, double loss, string named)
    {
        Assert.Contains(named, LinkFault.Check(delay, jitter, loss));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkFault(delay, jitter, loss));
    }

    [Fact]
    public void Decide_drops_below_the_loss_share_and_spreads_delay_by_jitter()
    {
        var fault = new LinkFault(20, 5, 10);
        Assert.Null(fault.Decide(0.05, 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(20), fault.Decide(0.10, 0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(15), fault.Decide(0.5, 0.0));
        Assert.Equal(TimeSpan.FromMilliseconds(24.9), fault.Decide(0.5, 0.99));
        Assert.Equal(TimeSpan.Zero, new LinkFault(2, 10, 0).Decide(0.5, 0.0));
        Assert.Equal(TimeSpan.Zero, LinkFault.None.Decide(0.0, 0.0));
    }

    [Fact]
    public void A_peer_override_replaces_the_all_peers_fault_for_that_peer_only()
    {
        var faults = FaultSettings.None.WithAll(new LinkFault(20, 0, 0)).WithPeer(new NodeId(3), new LinkFault(0, 0, 50));
        Assert.Equal(new LinkFault(0, 0, 50), faults.For(new NodeId(3)));
        Assert.Equal(new LinkFault(20, 0, 0), faults.For(new NodeId(2)));
        Assert.Equal(new LinkFault(20, 0, 0), faults.WithoutPeer(new NodeId(3)).For(new NodeId(3)));
        Assert.Equal(faults, FaultSettings.None.WithAll(new LinkFault(20, 0, 0)).WithPeer(new NodeId(3), new LinkFault(0, 0, 50)));
    }

    [Fact]
    public void Peers_are_kept_in_id_order_and_duplicates_refused()
    {
        var faults = FaultSettings.None.WithPeer(new NodeId(5), new LinkFault(1, 0, 0)).WithPeer(new NodeId(2), new LinkFault(2, 0, 0));
        Assert.Equal([new NodeId(2), new NodeId(5)], faults.Peers.Select(p => p.Peer));
        Assert.Throws<ArgumentException>(() => new FaultSettings(LinkFault.None,
            ValueList.Of(new PeerFault(new NodeId(1), new LinkFault(1, 0, 0)), new PeerFault(new NodeId(1), new LinkFault(2, 0, 0)))));
    }

    [Fact]
    public void Link_faults_are_kept_in_link_order_apart_from_the_peer_faults_and_duplicates_refused()
    {
        var faults = FaultSettings.None.WithLink(1, new LinkFault(5, 0, 0)).WithLink(0, new LinkFault(0, 0, 100)).WithAll(new LinkFault(2, 0, 0));
        Assert.Equal([0u, 1u], faults.Links.Select(l => l.Link));
        Assert.Equal(new LinkFault(0, 0, 100), faults.ForLink(0));
        Assert.Equal(LinkFault.None, faults.ForLink(2));
        Assert.Equal(new LinkFault(2, 0, 0), faults.For(new NodeId(3)));
        Assert.Equal([1u], faults.WithoutLink(0).Links.Select(l => l.Link));
        Assert.False(faults.WithAll(LinkFault.None).IsNone);
        Assert.True(FaultSettings.None.WithLink(0, LinkFault.None).IsNone);
        Assert.Throws<ArgumentException>(() => new FaultSettings(LinkFault.None, ValueList<PeerFault>.Empty,
            ValueList.Of(new KnetLinkFault(0, new LinkFault(1, 0, 0)), new KnetLinkFault(0, new LinkFault(2, 0, 0)))));
    }

    [Fact]
    public void An_empty_override_without_an_all_peers_fault_is_no_fault()
    {
        var faults = FaultSettings.None.WithPeer(new NodeId(2), LinkFault.None);
        Assert.True(faults.IsNone);
        Assert.Empty(faults.Peers);
    }
}
