using Totem.Protocol.Links;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Links;

/// <summary>Every transition of the pure link layer: heartbeat, down, up, selection per mode, duplicate filter.</summary>
public class LinkTableTests
{
    private static readonly NodeId Me = new(1);
    private static readonly NodeId Peer = new(2);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(750);
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(1500);

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static LinkSettings Link(uint n, byte priority = 1, int pongs = 2) => new(n, priority, Interval, Timeout, pongs);

    private static LinkTable Table(LinkMode mode, params LinkSettings[] links)
    {
        var table = new LinkTable(Me, mode, links.Length == 0 ? [Link(0), Link(1)] : links);
        table.AddHost(Peer);
        return table;
    }

    private static List<LinkOutput> Tick(LinkTable table, TimeSpan now)
    {
        var outputs = new List<LinkOutput>();
        table.Tick(now, outputs);
        return outputs;
    }

    private static List<LinkOutput> Pong(LinkTable table, uint link, TimeSpan sent, TimeSpan now)
    {
        var outputs = new List<LinkOutput>();
        table.OnPong(Peer, link, sent, now, outputs);
        return outputs;
    }

    /// <summary>Brings the given links up: a ping at 0 and at one interval, each answered 1 ms later.</summary>
    private static TimeSpan BringUp(LinkTable table, params uint[] links)
    {
        Tick(table, TimeSpan.Zero);
        foreach (var l in links) Pong(table, l, TimeSpan.Zero, Ms(1));
        Tick(table, Interval);
        foreach (var l in links) Pong(table, l, Interval, Interval + Ms(1));
        return Interval + Ms(1);
    }

    private static uint[] Selected(LinkTable table)
    {
        Span<uint> into = stackalloc uint[8];
        return into[..table.Select(Peer, into)].ToArray();
    }

    [Fact]
    public void A_new_host_has_every_link_down_and_a_ping_due_on_each_at_once()
    {
        var table = Table(LinkMode.Passive);
        Assert.Equal(TimeSpan.Zero, table.NextDue);
        Assert.Empty(Selected(table));
        Assert.False(table.IsReachable(Peer));
        Assert.Equal([new PingDue(Peer, 0), new PingDue(Peer, 1)], Tick(table, TimeSpan.Zero));
        Assert.Equal(Interval, table.NextDue);
        Assert.Empty(Tick(table, Interval - Ms(1)));
        Assert.Equal([new PingDue(Peer, 0), new PingDue(Peer, 1)], Tick(table, Interval));
    }

    [Fact]
    public void The_local_node_is_never_a_host()
    {
        var table = new LinkTable(Me, LinkMode.Passive, [Link(0)]);
        table.AddHost(Me);
        Assert.Empty(table.Hosts);
        Assert.Null(table.NextDue);
    }

    [Fact]
    public void A_link_comes_up_at_its_pong_count_and_not_before()
    {
        var table = Table(LinkMode.Passive, Link(0, pongs: 3));
        Tick(table, TimeSpan.Zero);
        Assert.Empty(Pong(table, 0, TimeSpan.Zero, Ms(2)));
        Assert.Equal(1, table.Status(Peer, 0).PongsTowardsUp);
        Tick(table, Interval);
        Assert.Empty(Pong(table, 0, Interval, Interval + Ms(2)));
        Tick(table, 2 * Interval);
        var up = Pong(table, 0, 2 * Interval, 2 * Interval + Ms(3));
        Assert.Equal(new LinkWentUp(Peer, 0), up[0]);
        var changed = Assert.IsType<HostLinksChanged>(up[1]);
        Assert.Equal((0u, (uint?)0u, (byte?)1, true), (changed.Link, changed.BestLink, changed.BestPriority, changed.HasActiveLinks));
        Assert.Equal([0u], changed.UpLinks);
        var status = table.Status(Peer, 0);
        Assert.Equal((true, Ms(3), 2 * Interval + Ms(3)), (status.Connected, status.Latency, status.LastPong));
        // Further pongs keep it up and refresh its timeout, nothing more.
        Tick(table, 3 * Interval);
        Assert.Empty(Pong(table, 0, 3 * Interval, 3 * Interval + Ms(1)));
    }

    [Theory]
    [InlineData(1500)] // exactly the timeout old: stale
    [InlineData(4000)]
    [InlineData(-1)] // from the future: not a ping of ours
    public void A_pong_outside_the_timeout_counts_for_nothing(double rttMs)
    {
        var table = Table(LinkMode.Passive, Link(0, pongs: 1));
        Tick(table, TimeSpan.Zero);
        var now = Ms(5000);
        Assert.Empty(Pong(table, 0, now - Ms(rttMs), now));
        Assert.False(table.Status(Peer, 0).Connected);
        Assert.Equal(0, table.Status(Peer, 0).PongsTowardsUp);
        Assert.Single(Pong(table, 0, now - Ms(1499), now).OfType<LinkWentUp>());
    }

    [Fact]
    public void Pongs_for_unknown_hosts_or_links_are_ignored()
    {
        var table = Table(LinkMode.Passive, Link(0, pongs: 1));
        var outputs = new List<LinkOutput>();
        table.OnPong(new NodeId(9), 0, TimeSpan.Zero, Ms(1), outputs);
        table.OnPong(Peer, 5, TimeSpan.Zero, Ms(1), outputs);
        Assert.Empty(outputs);
        Assert.False(table.IsReachable(Peer));
    }

    [Fact]
    public void An_up_link_goes_down_a_ping_timeout_after_its_last_pong_and_the_host_has_no_active_links()
    {
        var table = Table(LinkMode.Passive, Link(0));
        var lastPong = BringUp(table, 0);
        Assert.Equal(2 * Interval, table.NextDue); // the next ping comes before the timeout
        Tick(table, 2 * Interval);
        Assert.Equal(3 * Interval, table.NextDue); // 2250 ms, a millisecond before the timeout
        Tick(table, 3 * Interval);
        Assert.Equal(lastPong + Timeout, table.NextDue);
        Assert.DoesNotContain(Tick(table, lastPong + Timeout - TimeSpan.FromTicks(1)), o => o is LinkWentDown);
        var down = Tick(table, lastPong + Timeout);
        Assert.Equal(new LinkWentDown(Peer, 0), down[0]);
        var changed = Assert.IsType<HostLinksChanged>(down[1]);
        Assert.False(changed.HasActiveLinks);
        Assert.Null(changed.BestLink);
        Assert.Empty(Selected(table));
        Assert.Equal(0, table.Status(Peer, 0).PongsTowardsUp);
    }

    [Fact]
    public void A_link_that_went_down_needs_its_pong_count_again()
    {
        var table = Table(LinkMode.Passive, Link(0));
        var lastPong = BringUp(table, 0);
        var t = lastPong + Timeout;
        Tick(table, t);
        Assert.False(table.Status(Peer, 0).Connected);
        Assert.Empty(Pong(table, 0, t, t + Ms(1)));
        Assert.Single(Pong(table, 0, t, t + Ms(2)).OfType<LinkWentUp>());
    }

    [Fact]
    public void Passive_sends_on_the_highest_priority_up_link_and_fails_over_to_the_next()
    {
        var table = Table(LinkMode.Passive, Link(0, priority: 1), Link(1, priority: 5), Link(2, priority: 5));
        var lastPong = BringUp(table, 0, 1, 2);
        Assert.Equal([1u], Selected(table)); // 1 and 2 tie at 5: the lowest number
        Assert.Equal([1u], Selected(table)); // and it stays there
        // Links 0 and 2 keep answering; link 1 falls silent.
        var t = lastPong;
        List<LinkOutput> outputs;
        do
        {
            t += Ms(250);
            outputs = Tick(table, t);
            Pong(table, 0, t - Ms(1), t);
            Pong(table, 2, t - Ms(1), t);
        } while (!outputs.OfType<LinkWentDown>().Any());
        Assert.Equal(lastPong + Timeout, t);
        var changed = Assert.Single(outputs.OfType<HostLinksChanged>());
        Assert.Equal(((uint?)2u, (byte?)5), (changed.BestLink, changed.BestPriority));
        Assert.Equal([0u, 2u], changed.UpLinks);
        Assert.Equal([2u], Selected(table));
        // Link 1 answers again: after its pongs it is the best link once more.
        Pong(table, 1, t, t + Ms(1));
        var back = Pong(table, 1, t, t + Ms(2));
        Assert.Equal((uint?)1u, Assert.Single(back.OfType<HostLinksChanged>()).BestLink);
        Assert.Equal([1u], Selected(table));
    }

    [Fact]
    public void Passive_priority_zero_is_used_when_it_is_all_there_is()
    {
        var table = Table(LinkMode.Passive, Link(0, priority: 0), Link(1, priority: 0));
        BringUp(table, 1);
        Assert.Equal([1u], Selected(table));
    }

    [Fact]
    public void Active_sends_on_every_up_link_and_ignores_priority()
    {
        var table = Table(LinkMode.Active, Link(0, priority: 9), Link(1), Link(3));
        BringUp(table, 1, 3);
        Assert.Equal([1u, 3u], Selected(table));
        Pong(table, 0, Interval, Interval + Ms(2));
        var changed = Pong(table, 0, Interval, Interval + Ms(3)).OfType<HostLinksChanged>().Single();
        Assert.Null(changed.BestLink);
        Assert.Equal([0u, 1u, 3u], changed.UpLinks);
        Assert.Equal([0u, 1u, 3u], Selected(table));
    }

    [Fact]
    public void Round_robin_takes_the_up_links_in_turn_and_skips_the_down_ones()
    {
        var table = Table(LinkMode.RoundRobin, Link(0), Link(1), Link(2));
        BringUp(table, 0, 2);
        Assert.Equal([0u, 2u, 0u, 2u], Enumerable.Range(0, 4).SelectMany(_ => Selected(table)));
        Pong(table, 1, Interval, Interval + Ms(2));
        Pong(table, 1, Interval, Interval + Ms(3));
        Assert.Equal([0u, 1u, 2u, 0u], Enumerable.Range(0, 4).SelectMany(_ => Selected(table)));
    }

    [Fact]
    public void Nothing_is_selected_for_a_host_not_in_the_table()
    {
        var table = Table(LinkMode.Active);
        Span<uint> into = stackalloc uint[8];
        Assert.Equal(0, table.Select(new NodeId(7), into));
    }

    [Fact]
    public void The_first_copy_of_a_datagram_is_accepted_and_the_others_dropped()
    {
        var table = Table(LinkMode.Active);
        Assert.True(table.AcceptData(Peer, 10, 1));
        Assert.False(table.AcceptData(Peer, 10, 1)); // the copy from the other link
        Assert.True(table.AcceptData(Peer, 10, 3)); // a gap is normal (loss)
        Assert.True(table.AcceptData(Peer, 10, 2)); // and so is reordering
        Assert.False(table.AcceptData(Peer, 10, 2));
        Assert.False(table.AcceptData(Peer, 9, 50)); // an older life of the host
        Assert.True(table.AcceptData(Peer, 11, 1)); // its restart starts afresh
        Assert.False(table.AcceptData(Peer, 11, 1));
        Assert.True(table.AcceptData(new NodeId(8), 1, 1)); // unknown hosts are not filtered
        Assert.True(table.AcceptData(new NodeId(8), 1, 1));
    }

    [Fact]
    public void Next_due_is_the_earliest_ping_or_timeout_over_all_hosts()
    {
        var table = new LinkTable(Me, LinkMode.Passive, [new LinkSettings(0, 1, Ms(100), Ms(1000), 1), new LinkSettings(1, 1, Ms(300), Ms(150), 1)]);
        Assert.Null(table.NextDue);
        table.AddHost(Peer);
        Tick(table, Ms(0));
        Assert.Equal(Ms(100), table.NextDue);
        Pong(table, 1, Ms(0), Ms(10)); // link 1 up: its timeout at 160 ms
        Tick(table, Ms(100));
        Assert.Equal(Ms(160), table.NextDue);
        Assert.Contains(new LinkWentDown(Peer, 1), Tick(table, Ms(160)));
        Assert.Equal(Ms(200), table.NextDue);
    }

    [Fact]
    public void Bad_tables_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new LinkTable(Me, LinkMode.Passive, []));
        Assert.Throws<ArgumentException>(() => new LinkTable(Me, LinkMode.Passive, [Link(1), Link(1)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkTable(Me, LinkMode.Passive, [Link(8)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkTable(Me, LinkMode.Passive, [Link(0, pongs: 0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinkTable(Me, LinkMode.Passive, [Link(0) with { PingInterval = TimeSpan.Zero }]));
    }
}
