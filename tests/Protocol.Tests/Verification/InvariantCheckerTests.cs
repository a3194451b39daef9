using Totem.Protocol.Srp;
using Totem.Protocol.Verification;
using Totem.Protocol.Wire;
using static Totem.Protocol.Tests.Verification.CheckerAssert;
using static Totem.Protocol.Tests.Verification.RunHistory;

namespace Totem.Protocol.Tests.Verification;

public class InvariantCheckerTests
{
    private static readonly RingId A = Ring(4);
    private static readonly RingId B = Ring(8);
    private static readonly RingId C = Ring(8, representative: 3);
    private static readonly RingId D = Ring(12);
    private static readonly RingId E = Ring(16);
    private static readonly RingId F = Ring(20);

    /// <summary>
    /// Three nodes start together; node 3 is cut off (each side recovers what it can of ring A: nodes 1 and 2
    /// deliver A/6 after their transitional configuration, node 3 delivers its own A/7 past the holes); the
    /// partition heals; node 2 crashes and the survivors reform; node 2 restarts and rejoins.
    /// </summary>
    private static RunHistory HealthyRun()
    {
        var run = new RunHistory().Start(A, 1, 2, 3);
        for (uint seq = 1; seq <= 4; seq++) run.Submit(seq == 4 ? 1 : seq, A, seq).Deliver(A, seq, seq == 4 ? 1u : seq, 1, 2, 3);
        run.Submit(2, A, 5).Deliver(A, 5, 2, 1, 2)
            .Submit(1, A, 6).Submit(3, A, 7)
            .Transitional(1, B, [1, 2]).Transitional(2, B, [1, 2])
            .Deliver(A, 6, 1, 1, 2)
            .Regular(1, B, [1, 2], [1, 2]).Regular(2, B, [1, 2], [1, 2])
            .Transitional(3, C, [3]).Deliver(A, 7, 3, 3).Regular(3, C, [3], [3])
            .Submit(2, B, 3).Deliver(B, 3, 2, 1, 2).Submit(1, B, 4).Deliver(B, 4, 1, 1, 2)
            .Submit(3, C, 1).Deliver(C, 1, 3, 3)
            .Transition(D, [1, 2], [1, 2, 3], 1, 2).Transition(D, [3], [1, 2, 3], 3)
            .Submit(3, D, 1).Deliver(D, 1, 3, 1, 2, 3).Submit(1, D, 2).Deliver(D, 2, 1, 1, 2, 3)
            .Submit(2, D, 3) // lost with node 2's crash
            .Crash(2)
            .Transition(E, [1, 3], [1, 3], 1, 3)
            .Restart(2)
            .Start(Ring(17, representative: 2), 2)
            .Transition(F, [1, 3], [1, 2, 3], 1, 3).Transition(F, [2], [1, 2, 3], 2)
            .Submit(2, F, 1).Deliver(F, 1, 2, 1, 2, 3);
        return run;
    }

    [Fact]
    public void A_correct_run_with_partition_heal_crash_and_restart_has_no_violations()
    {
        var run = HealthyRun();
        Clean(run.Check());
        Clean(run.Check(livenessExpected: true));
    }

    [Fact]
    public void The_recorder_splits_a_node_into_incarnations_at_crash_and_restart()
    {
        var incarnations = HealthyRun().Recorder.Incarnations;

        Assert.Equal([(1u, 1, false), (2u, 1, true), (2u, 2, false), (3u, 1, false)],
            incarnations.Select(i => (i.Node.Value, i.Number, i.Crashed)));
        Assert.IsType<MessageSubmitted>(incarnations[1].Events[^1]);
        Assert.IsType<ConfigurationInstalled>(incarnations[2].Events[0]);
    }

    // ---- agreed order ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_node_that_delivers_a_ring_out_of_seq_order_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Deliver(A, 1, 1, 1, 2);
        if (violate) run.Deliver(A, 3, 2, 2).Deliver(A, 2, 1, 2).Deliver(A, 2, 1, 1).Deliver(A, 3, 2, 1);
        else run.Deliver(A, 2, 1, 1, 2).Deliver(A, 3, 2, 1, 2);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.AgreedOrder, "node 2", "ring 1.4 seq 2", "after seq 3");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Two_nodes_that_deliver_different_messages_at_one_seq_are_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Deliver(A, 1, 1, 1);
        if (violate) run.DeliverPayload(A, 1, 1, Payload(1, A, 99), 2);
        else run.Deliver(A, 1, 1, 2);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.AgreedOrder, "ring 1.4 seq 1 is message '1/1.4/1'", "but message '1/1.4/99'", "node 2");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void One_message_delivered_at_different_seqs_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Deliver(A, 1, 1, 1, 2).Deliver(A, 2, 2, 1);
        run.DeliverPayload(A, violate ? 3u : 2u, 2, Payload(2, A, 2), 2);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.AgreedOrder,
            "message '2/1.4/2' of node 2 was delivered as ring 1.4 seq 2 from node 2 by node 1 but as ring 1.4 seq 3");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_hole_in_regular_delivery_is_reported_but_a_hole_after_the_transitional_configuration_is_not(bool violate)
    {
        // Node 2 misses seq 2 and is cut off alone into ring C. Before its transitional configuration it may not
        // skip the hole; after it, it may (corosync delivers the rest of the old ring past unrecoverable holes).
        var ringC = Ring(8, representative: 2);
        var run = new RunHistory().Start(A, 1, 2).Deliver(A, 1, 1, 1, 2).Deliver(A, 2, 1, 1).Deliver(A, 3, 2, 1);
        if (violate) run.Deliver(A, 3, 2, 2).Transition(ringC, [2], [2], 2);
        else run.Transitional(2, ringC, [2]).Deliver(A, 3, 2, 2).Regular(2, ringC, [2], [2]);
        run.Transition(B, [1], [1], 1);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.AgreedOrder,
            "node 2 delivered ring 1.4 seq 3 in its regular configuration without first delivering seq 2 (delivered by node 1)");
    }

    // ---- no duplicates ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_message_delivered_twice_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Deliver(A, 1, 1, 1, 2).Deliver(A, 2, 2, 1, 2);
        if (violate) run.Deliver(A, 2, 2, 2);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.NoDuplicates,
            "node 2 delivered message '2/1.4/2' of node 2 twice: as ring 1.4 seq 2 from node 2 and again as ring 1.4 seq 2");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_message_resent_on_a_new_ring_and_delivered_again_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Deliver(A, 1, 1, 1, 2).Transition(B, [1, 2], [1, 2], 1, 2);
        run.DeliverPayload(B, 1, 1, violate ? Payload(1, A, 1) : Payload(1, B, 1), 1, 2);

        var violations = run.Check();

        if (!violate) Clean(violations);
        else
        {
            Reports(violations, Invariants.NoDuplicates, "node 1 delivered message '1/1.4/1' of node 1 twice", "again as ring 1.8 seq 1");
            Reports(violations, Invariants.NoDuplicates, "node 2 delivered message '1/1.4/1' of node 1 twice");
        }
    }

    [Fact]
    public void Submitting_one_message_id_twice_is_reported_because_duplicates_could_not_be_judged()
    {
        var run = new RunHistory().Start(A, 1).Submit(1, A, 1).Submit(1, A, 1);
        Reports(run.Check(), Invariants.NoDuplicates, "node 1 submitted message '1/1.4/1' of node 1 twice");
    }

    // ---- virtual synchrony ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Nodes_that_move_together_but_delivered_different_messages_of_the_old_ring_are_reported(bool violate)
    {
        // The old-ring message A/3 is delivered after the transitional configuration: it still belongs to ring A.
        var run = new RunHistory().Start(A, 1, 2, 3).Deliver(A, 1, 1, 1, 2, 3).Deliver(A, 2, 3, 1, 2, 3)
            .Transitional(1, B, [1, 2]).Transitional(2, B, [1, 2]).Deliver(A, 3, 1, violate ? [1] : [1, 2])
            .Regular(1, B, [1, 2], [1, 2]).Regular(2, B, [1, 2], [1, 2])
            .Transition(C, [3], [3], 3);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.VirtualSynchrony,
            "node 2 and node 1 moved together from ring 1.4 to ring 1.8, but node 2 did not deliver ring 1.4 seq 3 from node 1");
    }

    [Fact]
    public void Nodes_that_part_may_deliver_different_messages_of_the_old_ring()
    {
        var run = new RunHistory().Start(A, 1, 2).Deliver(A, 1, 1, 1, 2)
            .Transitional(1, B, [1]).Deliver(A, 2, 1, 1).Regular(1, B, [1], [1])
            .Transition(Ring(8, representative: 2), [2], [2], 2);
        Clean(run.Check());
    }

    // ---- configuration ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_regular_configuration_without_a_transitional_one_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1);
        if (violate) run.Regular(1, B, [1], [1]);
        else run.Transition(B, [1], [1], 1);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.Configuration,
            "node 1 installed regular configuration 1.8 after ring 1.4 without a transitional configuration");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_transitional_configuration_with_a_node_from_outside_the_old_ring_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Start(C, 3)
            .Transition(D, violate ? [1, 2, 3] : [1, 2], [1, 2, 3], 1, 2).Transition(D, [3], [1, 2, 3], 3);

        var violations = run.Check();

        if (!violate) Clean(violations);
        else
        {
            Reports(violations, Invariants.Configuration, "node 1's transitional configuration 1.c lists node(s) 3 that were not in its regular configuration 1.4");
            Reports(violations, Invariants.Configuration, "node 1's transitional configuration into ring 1.c lists node 3, which came from ring 3.8, not from ring 1.4");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_transitional_configuration_that_leaves_out_a_node_moving_along_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2)
            .Transition(B, violate ? [1] : [1, 2], [1, 2], 1).Transition(B, [1, 2], [1, 2], 2);

        var violations = run.Check();

        if (!violate) Clean(violations);
        else Reports(violations, Invariants.Configuration, "node 1's transitional configuration into ring 1.8 leaves out node 2, which also came from ring 1.4");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_transitional_configuration_followed_by_another_ring_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1).Transitional(1, B, [1]).Regular(1, violate ? D : B, [1], [1]);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.Configuration,
            "node 1's transitional configuration 1.8 was followed by regular configuration 1.c");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Two_transitional_configurations_in_a_row_are_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1).Transitional(1, B, [1]);
        if (violate) run.Transitional(1, B, [1]);
        run.Regular(1, B, [1], [1]);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.Configuration,
            "node 1 delivered transitional configuration 1.8 while transitional configuration 1.8 still awaited its regular configuration");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Transitional_members_missing_from_the_new_regular_configuration_are_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Transitional(1, B, [1, 2]).Regular(1, B, violate ? [1] : [1, 2], [1, 2])
            .Transition(B, [1, 2], [1, 2], 2);

        var violations = run.Check();

        if (!violate) Clean(violations);
        else Reports(violations, Invariants.Configuration, "node 1's transitional configuration 1.8 lists node(s) 2 that are not in its regular configuration 1.8");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Wrong_left_and_joined_lists_are_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2)
            .Config(1, new ConfigurationChanged(ConfigurationKind.Transitional, B, Nodes([1]), ValueList<NodeId>.Empty, violate ? Nodes([]) : Nodes([2])))
            .Config(1, new ConfigurationChanged(ConfigurationKind.Regular, B, Nodes([1, 3]), violate ? Nodes([]) : Nodes([3]), ValueList<NodeId>.Empty))
            .Start(Ring(6, representative: 3), 3).Transition(B, [3], [1, 3], 3)
            .Transition(Ring(8, representative: 2), [2], [2], 2);

        var violations = run.Check();

        if (!violate) Clean(violations);
        else
        {
            Reports(violations, Invariants.Configuration, "node 1's transitional configuration 1.8 reports left []", "but [2] of ring 1.4 did not come along");
            Reports(violations, Invariants.Configuration, "node 1's regular configuration 1.8 reports joined []", "but [3] are new to it");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_ring_id_that_does_not_grow_is_reported(bool violate)
    {
        var run = new RunHistory().Start(B, 1).Transition(violate ? A : D, [1], [1], 1);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.Configuration, "node 1 installed ring 1.4 after ring 1.8: ring ids must grow");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_restarted_node_reusing_an_old_ring_id_is_reported(bool violate)
    {
        var run = new RunHistory().Start(B, 1).Crash(1).Restart(1).Start(violate ? A : D, 1);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.Configuration,
            "node 1 (incarnation 2) installed ring 1.4 although node 1 (incarnation 1) had already been in ring 1.8: ring ids must grow across restarts");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Nodes_that_disagree_on_a_rings_members_are_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Transition(B, [1, 2], [1, 2], 1)
            .Transition(B, [1, 2], violate ? [1, 2, 3] : [1, 2], 2);

        var violations = run.Check();

        if (!violate) Clean(violations);
        else Reports(violations, Invariants.Configuration, "node 1 installed ring 1.8 with members [1 2] but node 2 with [1 2 3]");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_configuration_without_the_node_itself_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Transition(B, [1, 2], [1, 2], 1)
            .Transitional(2, B, violate ? [1] : [1, 2]).Regular(2, B, [1, 2], [1, 2]);

        var violations = run.Check();

        if (!violate) Clean(violations);
        else Reports(violations, Invariants.Configuration, "node 2's transitional configuration 1.8 [1] does not include itself");
    }

    [Fact]
    public void An_empty_transitional_configuration_before_the_first_ring_is_clean()
    {
        // corosync: a booting node's my_memb_list is empty, so its first transitional configuration is too.
        var run = new RunHistory().Transitional(1, A, []).Regular(1, A, [1, 2], []).Transitional(2, A, []).Regular(2, A, [1, 2], [])
            .Deliver(A, 1, 1, 1, 2);

        Clean(run.Check());
    }

    // ---- ring membership ----

    [Fact]
    public void A_delivery_before_any_configuration_is_reported() =>
        Reports(new RunHistory().Deliver(A, 1, 1, 1).Start(A, 1).Check(), Invariants.RingMembership,
            "node 1 delivered ring 1.4 seq 1 from node 1 before installing any regular configuration");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_new_ring_message_delivered_before_its_regular_configuration_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1).Transitional(1, B, [1]);
        if (violate) run.Deliver(B, 1, 1, 1).Regular(1, B, [1], [1]);
        else run.Regular(1, B, [1], [1]).Deliver(B, 1, 1, 1);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.RingMembership,
            "node 1 delivered ring 1.8 seq 1 from node 1 while its regular configuration was ring 1.4 (in transition to ring 1.8)");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_old_ring_message_delivered_after_the_new_regular_configuration_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1).Transitional(1, B, [1]);
        if (violate) run.Regular(1, B, [1], [1]).Deliver(A, 1, 1, 1);
        else run.Deliver(A, 1, 1, 1).Regular(1, B, [1], [1]);

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.RingMembership,
            "node 1 delivered ring 1.4 seq 1 from node 1 while its regular configuration was ring 1.8");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_message_from_a_non_member_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Deliver(A, 1, violate ? 7u : 2u, 1, 2);

        var violations = run.Check();

        if (!violate) Clean(violations);
        else Reports(violations, Invariants.RingMembership, "node 1 delivered ring 1.4 seq 1 from node 7, but node 7 is not a member of ring 1.4 [1 2]");
    }

    // ---- self-delivery ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_sender_that_moves_on_without_delivering_its_own_message_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Submit(1, A, 1).Deliver(A, 1, 1, 2)
            .Transition(Ring(8, representative: 2), [2], [2], 2);
        if (violate) run.Transition(B, [1], [1], 1);
        else run.Crash(1); // a sender that dies owes nothing

        ReportsOnlyWhenViolated(violate, run.Check(), Invariants.SelfDelivery,
            "node 1 sent ring 1.4 seq 1 from node 1 (delivered by node 2), but node 1 moved on to ring 1.8 without delivering it");
    }

    // ---- liveness ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_survivor_that_never_delivers_its_own_submission_is_reported_when_liveness_is_expected(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Submit(1, A, 1).Submit(2, A, 2).Deliver(A, 1, 1, 1, 2);
        if (!violate) run.Crash(2).Transition(B, [1], [1], 1); // a crashed node owes nothing

        Clean(run.Check());
        ReportsOnlyWhenViolated(violate, run.Check(livenessExpected: true), Invariants.Liveness,
            "node 2 submitted message '2/1.4/2' of node 2 but never delivered it");
    }

    [Fact]
    public void A_submission_the_engine_refused_is_owed_to_nobody()
    {
        var run = new RunHistory().Start(A, 1).Submit(1, A, 1).Reject(1, A, 1);
        Clean(run.Check(livenessExpected: true));

        run.Submit(1, A, 1); // submitted again under the same id: owed again, and not a duplicate submission
        Assert.Equal(["liveness: node 1 submitted message '1/1.4/1' of node 1 but never delivered it"], run.Check(livenessExpected: true));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Survivors_of_one_final_ring_that_delivered_different_messages_are_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Deliver(A, 1, 1, 1, 2).Deliver(A, 2, 2, violate ? [2] : [1, 2]);

        Clean(run.Check());
        ReportsOnlyWhenViolated(violate, run.Check(livenessExpected: true), Invariants.Liveness,
            "node 1 and node 2 both ended the run in ring 1.4, but node 1 did not deliver ring 1.4 seq 2 from node 2");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_final_ring_that_still_lists_a_crashed_node_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Crash(2);
        if (!violate) run.Transition(B, [1], [1], 1);

        Clean(run.Check());
        ReportsOnlyWhenViolated(violate, run.Check(livenessExpected: true), Invariants.Liveness,
            "node 1 ended the run in ring 1.4, which lists node 2, which crashed");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Survivors_that_disagree_on_their_final_ring_are_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1, 2).Transition(B, [1, 2], [1, 2], 1);
        if (!violate) run.Transition(B, [1, 2], [1, 2], 2);

        var violations = run.Check(livenessExpected: true);

        if (!violate) Clean(violations);
        else Reports(violations, Invariants.Liveness, "node 1 ended the run in ring 1.8, which lists node 2, which ended in ring 1.4");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_survivor_stuck_between_transitional_and_regular_configuration_is_reported(bool violate)
    {
        var run = new RunHistory().Start(A, 1).Transitional(1, B, [1]);
        if (!violate) run.Regular(1, B, [1], [1]);

        Clean(run.Check());
        ReportsOnlyWhenViolated(violate, run.Check(livenessExpected: true), Invariants.Liveness,
            "node 1 ended the run after transitional configuration 1.8 without its regular configuration");
    }

    [Fact]
    public void A_survivor_that_never_installed_a_configuration_is_reported_when_liveness_is_expected()
    {
        var run = new RunHistory().Start(A, 1).Submit(2, A, 1);
        Clean(run.Check());
        Reports(run.Check(livenessExpected: true), Invariants.Liveness, "node 2 never installed a regular configuration");
    }
}
