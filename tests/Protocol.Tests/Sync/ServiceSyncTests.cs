using Totem.Protocol.Sync;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Sync;

/// <summary>sync.c's round on one node: service build, then per service process, barrier and activation; restarts on a membership change.</summary>
public class ServiceSyncTests
{
    private const byte VoteQuorum = 1;
    private static readonly NodeId N1 = new(1), N2 = new(2), N3 = new(3);
    private static readonly ValueList<NodeId> Three = ValueList.Of(N1, N2, N3);
    private static readonly RingId R1 = new(N1, 8);
    private static readonly RingId R2 = new(N1, 12);

    private static ServiceSync Node1() => new(N1, new Dictionary<byte, string> { [VoteQuorum] = "corosync vote quorum service v1.0" });

    private static IReadOnlyList<SyncOutput> Build(ServiceSync sync, RingId ring, NodeId from, params byte[] services) =>
        sync.Handle(new SyncMessageDelivered(from, new SyncServiceBuild(ring, services.ToValueList())));

    private static IReadOnlyList<SyncOutput> Barrier(ServiceSync sync, RingId ring, NodeId from) =>
        sync.Handle(new SyncMessageDelivered(from, new SyncBarrier(ring)));

    private static IEnumerable<SyncMessage> Sent(IEnumerable<SyncOutput> outputs) => outputs.OfType<MulticastSync>().Select(m => m.Message);

    [Fact]
    public void A_round_builds_the_service_list_processes_and_activates_after_every_members_barrier()
    {
        var sync = Node1();
        sync.Handle(new TransitionalDelivered(ValueList.Of(N1, N2)));
        var start = sync.Handle(new RegularDelivered(R1, Three));
        Assert.Equal([new SyncServiceBuild(R1, ValueList.Of(VoteQuorum))], Sent(start));
        Assert.Equal(new InitService(VoteQuorum, R1, ValueList.Of(N1, N2), Three), Assert.Single(start.OfType<InitService>()));
        Assert.True(sync.InProcess);

        // The process phase starts once every member's service list is in.
        Assert.Empty(Build(sync, R1, N1, VoteQuorum).OfType<ProcessService>());
        Assert.Empty(Build(sync, R1, N2, VoteQuorum).OfType<ProcessService>());
        Assert.Equal(new ProcessService(VoteQuorum, R1), Assert.Single(Build(sync, R1, N3, VoteQuorum).OfType<ProcessService>()));

        // The barrier goes out when the service says its state is multicast.
        Assert.Equal([new SyncBarrier(R1)], Sent(sync.Handle(new ServiceProcessed(VoteQuorum, R1))));

        Assert.Empty(Barrier(sync, R1, N2).OfType<ActivateService>());
        Assert.Empty(Barrier(sync, R1, N1).OfType<SyncCompleted>());
        var last = Barrier(sync, R1, N3);
        Assert.Equal(new ActivateService(VoteQuorum, R1), Assert.Single(last.OfType<ActivateService>()));
        // One service build and one barrier per member: 2 sent here, 6 delivered.
        Assert.Equal(new SyncCompleted(R1, 1, 2, 6, 0), Assert.Single(last.OfType<SyncCompleted>()));
        Assert.False(sync.InProcess);
    }

    [Fact]
    public void A_membership_change_during_the_sync_aborts_the_service_and_restarts_on_the_new_ring()
    {
        var sync = Node1();
        sync.Handle(new RegularDelivered(R1, Three));
        foreach (var member in Three) Build(sync, R1, member, VoteQuorum);
        sync.Handle(new ServiceProcessed(VoteQuorum, R1));
        Barrier(sync, R1, N2);

        // The transitional configuration of the next ring aborts the round that is waiting for barriers.
        Assert.Equal(new AbortService(VoteQuorum), Assert.Single(sync.Handle(new TransitionalDelivered(ValueList.Of(N1, N2))).OfType<AbortService>()));
        var restart = sync.Handle(new RegularDelivered(R2, ValueList.Of(N1, N2)));
        Assert.Empty(restart.OfType<AbortService>());
        Assert.Equal([new SyncServiceBuild(R2, ValueList.Of(VoteQuorum))], Sent(restart));

        // What was sent for the old ring is discarded: its barriers and a late answer of its process phase.
        Assert.All(Barrier(sync, R1, N1), o => Assert.IsType<SyncLog>(o));
        Assert.All(Barrier(sync, R1, N3), o => Assert.IsType<SyncLog>(o));
        Build(sync, R2, N1, VoteQuorum);
        Build(sync, R2, N2, VoteQuorum);
        Assert.Empty(Sent(sync.Handle(new ServiceProcessed(VoteQuorum, R1))));
        Sent(sync.Handle(new ServiceProcessed(VoteQuorum, R2)));
        Barrier(sync, R2, N1);
        var completed = Assert.Single(Barrier(sync, R2, N2).OfType<SyncCompleted>());
        Assert.Equal(new SyncCompleted(R2, 1, 2, 4, 1), completed);
    }

    [Fact]
    public void A_service_only_a_peer_runs_is_passed_with_an_immediate_barrier_after_ours()
    {
        var sync = Node1();
        sync.Handle(new RegularDelivered(R1, ValueList.Of(N1, N2)));
        Build(sync, R1, N1, VoteQuorum);
        Build(sync, R1, N2, VoteQuorum, 7);
        sync.Handle(new ServiceProcessed(VoteQuorum, R1));
        Barrier(sync, R1, N1);
        var activated = Barrier(sync, R1, N2);
        Assert.Single(activated.OfType<ActivateService>());
        // Service 7 is not ours: no process phase here, the barrier goes out at once.
        Assert.Equal([new SyncBarrier(R1)], Sent(activated));
        Assert.Empty(activated.OfType<ProcessService>());
        Barrier(sync, R1, N1);
        var done = Barrier(sync, R1, N2);
        Assert.Empty(done.OfType<ActivateService>());
        Assert.Equal(2, Assert.Single(done.OfType<SyncCompleted>()).Services);
    }

    [Fact]
    public void A_node_without_services_completes_once_every_service_list_is_in()
    {
        var sync = new ServiceSync(N1, new Dictionary<byte, string>());
        sync.Handle(new RegularDelivered(R1, ValueList.Of(N1, N2)));
        Assert.Empty(Build(sync, R1, N1).OfType<SyncCompleted>());
        Assert.Equal(0, Assert.Single(Build(sync, R1, N2).OfType<SyncCompleted>()).Services);
    }

    [Fact]
    public void A_message_from_a_node_outside_the_ring_does_not_count_as_a_members()
    {
        var sync = Node1();
        sync.Handle(new RegularDelivered(R1, ValueList.Of(N1, N2)));
        Build(sync, R1, N1, VoteQuorum);
        Assert.Empty(Build(sync, R1, N3, VoteQuorum).OfType<ProcessService>());
        Assert.Single(Build(sync, R1, N2, VoteQuorum).OfType<ProcessService>());
    }

    [Fact]
    public void A_regular_configuration_without_the_local_node_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Node1().Handle(new RegularDelivered(R1, ValueList.Of(N2))));
        Assert.Contains("does not include the local node 1", error.Message);
    }
}
