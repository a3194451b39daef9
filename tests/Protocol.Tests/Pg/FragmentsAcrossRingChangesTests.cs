using Totem.Protocol.Srp;
using Totem.Protocol.Tests.Srp;
using Totem.Protocol.Verification;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Pg;

/// <summary>
/// A message many frames long in flight while the ring changes (totempg's assembly across configuration changes):
/// a sender who stays goes on with it, a sender who leaves takes its partial message with it, and a ring that gains
/// a member hears the message started over so every member delivers it.
/// </summary>
public class FragmentsAcrossRingChangesTests
{
    private const int Large = 200_000;

    private static SrpCluster Formed(uint[] ids, uint[] booted)
    {
        var cluster = new SrpCluster(11, ids) { MinDelayMs = 0, MaxDelayMs = 1 };
        cluster.Recorder = new DeliveryRecorder(payload => SrpCluster.Decode(payload).ToString(), syncRecorded: true);
        foreach (var id in booted) cluster.Boot(new NodeId(id));
        Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith(booted), 60_000), "the ring did not form");
        return cluster;
    }

    private static int FragmentsSent(SrpCluster cluster, uint sender) =>
        cluster[sender].Outputs.Count(o => o.Output is SendMessage { Message: McastMessage { Frame.Fragmented: not 0 } m } && m.Source.Value == sender);

    /// <summary>Submits the large message at <paramref name="sender"/> and runs until part, not all, of it went out.</summary>
    private static void SendPartOfLargeMessage(SrpCluster cluster, uint sender)
    {
        cluster.Submit(sender, size: Large);
        Assert.True(cluster.RunUntil(() => FragmentsSent(cluster, sender) > 0, cluster.Now + 10_000), "no fragment went out");
        Assert.True(cluster[sender].Engine!.PendingMessages > 0, "the whole message went out in one visit; the test needs it in flight");
    }

    private static List<Delivered> Large_(SrpCluster cluster, uint node) => cluster[node].Delivered.Where(d => d.Payload.Count == Large).ToList();

    private static void AssertChecked(SrpCluster cluster) => Assert.Empty(cluster.Recorder!.Check(livenessExpected: true));

    [Fact]
    public void A_sender_who_stays_goes_on_with_its_message_and_everyone_delivers_it_once()
    {
        var cluster = Formed([1, 2, 3], [1, 2, 3]);
        SendPartOfLargeMessage(cluster, 1);

        cluster.Crash(3);
        Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith([1, 2]) && Large_(cluster, 2).Count == 1, cluster.Now + 60_000));
        cluster.RunFor(2_000);

        foreach (var node in new uint[] { 1, 2 })
        {
            var delivered = Assert.Single(Large_(cluster, node));
            Assert.Equal((1u, 0), SrpCluster.Decode(delivered.Payload));
        }
        // No join, so no restart: the survivors kept the part they had.
        Assert.Empty(cluster[1].Logs("Restarting a fragmented message"));
        Assert.Equal(0, cluster[2].Engine!.DiscardedFragmentedMessages);
        AssertChecked(cluster);
    }

    [Fact]
    public void The_partial_message_of_a_sender_who_leaves_is_discarded_and_traffic_goes_on()
    {
        var cluster = Formed([1, 2, 3], [1, 2, 3]);
        SendPartOfLargeMessage(cluster, 1);

        cluster.Crash(1);
        Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith([2, 3]), cluster.Now + 60_000));
        cluster.Submit(2, size: 3_000);
        cluster.Submit(3, size: 20);
        Assert.True(cluster.RunUntil(() => cluster[2].Delivered.Count(d => d.Source.Value != 1) >= 2 && cluster[3].Delivered.Count(d => d.Source.Value != 1) >= 2,
            cluster.Now + 10_000));

        foreach (var node in new uint[] { 2, 3 })
        {
            Assert.Empty(Large_(cluster, node));
            Assert.Equal(1, cluster[node].Engine!.DiscardedFragmentedMessages);
            Assert.Equal([(2u, 0), (3u, 0)], cluster[node].Delivered.Select(d => SrpCluster.Decode(d.Payload)).Order());
        }
        AssertChecked(cluster);
    }

    [Fact]
    public void A_ring_that_gains_a_member_hears_the_message_started_over_and_all_deliver_it()
    {
        var cluster = Formed([1, 2, 3], [1, 2]);
        SendPartOfLargeMessage(cluster, 1);

        cluster.Boot(new NodeId(3));
        Assert.True(cluster.RunUntil(() => cluster.AllOperationalWith([1, 2, 3]) && Large_(cluster, 3).Count == 1, cluster.Now + 60_000));
        cluster.RunFor(2_000);

        Assert.NotEmpty(cluster[1].Logs("Restarting a fragmented message"));
        foreach (var node in new uint[] { 1, 2, 3 })
        {
            var delivered = Assert.Single(Large_(cluster, node));
            Assert.Equal(cluster[1].Regular[^1].Change.RingId, delivered.RingId);
        }
        AssertChecked(cluster);
    }

    [Fact]
    public void A_message_above_one_MiB_is_refused_at_submit_with_its_size()
    {
        var cluster = Formed([1, 2], [1, 2]);
        cluster.Submit(1, size: Totem.Protocol.Pg.PgLimits.MaxMessageBytes + 1);
        var rejected = Assert.Single(cluster[1].Outputs.Select(o => o.Output).OfType<SubmitRejected>());
        Assert.Contains($"{Totem.Protocol.Pg.PgLimits.MaxMessageBytes + 1} bytes is above the limit", rejected.Reason);
        Assert.Equal(0, cluster[1].Engine!.PendingMessages);
        AssertChecked(cluster);
    }
}
