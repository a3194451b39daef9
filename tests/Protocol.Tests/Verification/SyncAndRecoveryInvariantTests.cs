using Totem.Protocol.Verification;
using Totem.Protocol.Wire;
using static Totem.Protocol.Tests.Verification.CheckerAssert;
using static Totem.Protocol.Tests.Verification.RunHistory;

namespace Totem.Protocol.Tests.Verification;

/// <summary>The service sync invariant and totemsrp's transitional-configuration filter, as the checker judges them.</summary>
public class SyncAndRecoveryInvariantTests
{
    private static readonly RingId A = Ring(4);
    private static readonly RingId B = Ring(8);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_application_message_delivered_before_the_rings_sync_completed_is_reported(bool violate)
    {
        var run = new RunHistory(syncRecorded: true).Start(A, 1, 2).SyncCompleted(A, 1);
        if (!violate) run.SyncCompleted(A, 2);
        run.Submit(1, A, 3).Deliver(A, 3, 1, 1, 2);
        if (violate) run.SyncCompleted(A, 2);

        ReportsOnlyWhenViolated(violate, run.Recorder.Check(), Invariants.ServiceSync,
            "node 2 delivered ring 1.4 seq 3 from node 1 before the service synchronization of ring 1.4 completed there");
    }

    [Fact]
    public void A_sync_of_an_earlier_ring_does_not_release_the_next_one()
    {
        var run = new RunHistory(syncRecorded: true).Start(A, 1, 2).SyncCompleted(A, 1, 2)
            .Transition(B, [1, 2], [1, 2], 1, 2).SyncCompleted(B, 1)
            .Submit(1, B, 5).Deliver(B, 5, 1, 1, 2);

        Reports(run.Recorder.Check(), Invariants.ServiceSync, "node 2 delivered ring 1.8 seq 5", "before the service synchronization of ring 1.8");
    }

    [Fact]
    public void Old_ring_messages_after_the_transitional_configuration_are_not_judged_by_the_aborted_sync()
    {
        // Node 2 delivered A's barriers only in part when the ring broke; recovery delivers node 1's A/6 past the gap.
        var run = new RunHistory(syncRecorded: true).Start(A, 1, 2).SyncCompleted(A, 1)
            .Submit(1, A, 6).Deliver(A, 6, 1, 1)
            .Transitional(1, B, [1, 2]).Transitional(2, B, [1, 2]).Deliver(A, 6, 1, 2)
            .Regular(1, B, [1, 2], [1, 2]).Regular(2, B, [1, 2], [1, 2]);

        Clean(run.Recorder.Check());
    }

    [Fact]
    public void A_sync_completing_outside_its_ring_is_reported()
    {
        var run = new RunHistory(syncRecorded: true).Start(A, 1, 2).SyncCompleted(B, 2);

        Reports(run.Recorder.Check(), Invariants.ServiceSync, "node 2 completed the service synchronization of ring 1.8 while its regular configuration was ring 1.4");
    }

    [Fact]
    public void Without_recorded_syncs_the_service_sync_invariant_is_not_judged()
    {
        var run = new RunHistory().Start(A, 1, 2).Submit(1, A, 3).Deliver(A, 3, 1, 1, 2);

        Clean(run.Recorder.Check());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void After_the_transitional_configuration_only_its_members_messages_may_be_delivered(bool violate)
    {
        // Node 3 left ring A; node 1 still holds A/7 of node 3 behind a gap nobody can fill.
        var run = new RunHistory().Start(A, 1, 2, 3);
        for (uint seq = 1; seq <= 3; seq++) run.Submit(seq, A, seq).Deliver(A, seq, seq, 1, 2, 3);
        run.Submit(3, A, 7).Submit(2, A, 8)
            .Transitional(1, B, [1, 2]).Transitional(2, B, [1, 2]);
        if (violate) run.Deliver(A, 7, 3, 1, 2);
        run.Deliver(A, 8, 2, 1, 2)
            .Regular(1, B, [1, 2], [1, 2]).Regular(2, B, [1, 2], [1, 2]);

        var violations = run.Recorder.Check().Where(v => v.StartsWith(Invariants.RingMembership, StringComparison.Ordinal)).ToList();
        if (!violate)
        {
            Clean(violations);
            return;
        }
        Assert.Equal(2, violations.Count);
        Assert.All(violations, v => Assert.Contains("after transitional configuration 1.8 [1 2], which node 3 is not part of", v));
    }
}
