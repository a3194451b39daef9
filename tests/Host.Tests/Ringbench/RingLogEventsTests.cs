using Totem.Host.Ringbench.Whatif;

namespace Totem.Host.Tests.Ringbench;

public sealed class RingLogEventsTests
{
    private const string Lost = "Dec 07 21:10:02.100 [TOTEM ] A processor failed, forming new configuration: token timed out (300ms), waiting 360ms for consensus.";

    private static string Formed(string ring) => $"Dec 07 21:10:02.500 [TOTEM ] A new membership ({ring}) was formed. Members joined: 1 2 3 4 5";

    [Fact]
    public void A_loss_seen_by_several_nodes_is_one_loss_and_its_new_ring_one_change()
    {
        string[] start = [Formed("1.8"), "Dec 07 21:10:00.000 [QUORUM] This node is within the primary component and will provide service."];
        var node1 = start.Concat([Lost, Formed("1.c")]).ToList();
        var node2 = start.Concat([Lost, Formed("1.c")]).ToList();
        // Node 3 was the frozen one: it logs its own token loss after the thaw, in the ring it was in, then joins.
        var node3 = start.Concat(["Dec 07 21:10:02.700 [MAIN  ] Process pause detected for 420 ms, flushing membership messages.", Lost, Formed("1.c")]).ToList();
        var counts = RingLogEvents.Count([node1, node2, node3], [start.Length, start.Length, start.Length]);
        Assert.Equal(new RingLogEvents.Counts(TokenLosses: 1, MembershipChanges: 1, TokenLossLines: 3), counts);
    }

    [Fact]
    public void Losses_in_different_rings_count_apart_and_rings_before_the_window_not_at_all()
    {
        var node1 = new List<string> { Formed("1.4"), Lost, Formed("1.8"), Lost, Formed("1.c"), Formed("1.10"), Lost, Formed("1.14") };
        // The window opens after ring 1.8 stood: the loss in 1.4 and the ring 1.8 are before it.
        var counts = RingLogEvents.Count([node1], [3]);
        Assert.Equal(new RingLogEvents.Counts(TokenLosses: 2, MembershipChanges: 3, TokenLossLines: 2), counts);
    }

    [Fact]
    public void A_ring_one_node_saw_before_the_window_is_not_a_change_when_another_logs_it_late()
    {
        var node1 = new List<string> { Formed("1.8") };
        var node2 = new List<string> { Formed("1.4"), Formed("1.8") };
        // Node 2's log was slower: 1.8 reached it after the window opened, but node 1 had it before.
        Assert.Equal(new RingLogEvents.Counts(0, 0, 0), RingLogEvents.Count([node1, node2], [1, 1]));
    }

    [Fact]
    public void Lines_that_merely_mention_the_words_do_not_count()
    {
        var node = new List<string> { Formed("1.8"), "Dec 07 21:10:03.000 [TOTEM ] Token has not been received in 225 ms", "A new membership (oops) was formed" };
        Assert.Equal(new RingLogEvents.Counts(0, 0, 0), RingLogEvents.Count([node], [1]));
    }
}
