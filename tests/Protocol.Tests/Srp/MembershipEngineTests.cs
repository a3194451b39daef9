using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Srp;

/// <summary>Membership's engine alone: joins, commit tokens and TokenHolder's reports in, commands and effects out.</summary>
public class MembershipEngineTests
{
    private static readonly NodeId Me = new(1);
    private static readonly NodeId Peer = new(2);

    private static ValueList<NodeId> Nodes(params uint[] ids) => ids.Select(n => new NodeId(n)).ToValueList();

    private static JoinMessage Join(uint from, ulong ringSeq, uint[] proc, uint[] failed) => new(new NodeId(from), ringSeq, Nodes(proc), Nodes(failed));

    private static IEnumerable<MembershipCommand> Commands(IEnumerable<SrpOutput> outputs) =>
        outputs.OfType<TellTokenHolder>().Select(t => t.Command);

    private static MembershipEngine Started(out IReadOnlyList<SrpOutput> startOutputs, ulong initialRingSeq = 0)
    {
        var engine = new MembershipEngine(new SrpOptions(Me, CorosyncDefaults.For(3)) { InitialRingSeq = initialRingSeq });
        startOutputs = engine.Start(0);
        return engine;
    }

    [Fact]
    public void Booting_enters_gather_alone_and_asks_token_holder_to_suspend()
    {
        var engine = Started(out var outputs);
        Assert.Equal(SrpState.Gather, engine.State);
        Assert.Equal([Me], engine.ProcSet);
        var join = Assert.Single(outputs.OfType<SendMessage>()).Message as JoinMessage;
        Assert.NotNull(join);
        Assert.Contains(outputs, o => o is SelfDelivery { Message: JoinMessage });
        Assert.IsType<SuspendRing>(Assert.Single(Commands(outputs)));
        // Suspend is asked for after the join timers start and before the state change is announced.
        var list = outputs.ToList();
        Assert.True(list.FindIndex(o => o is StartTimer { Timer: SrpTimer.Consensus }) < list.FindIndex(o => o is TellTokenHolder));
        Assert.True(list.FindIndex(o => o is TellTokenHolder) < list.FindIndex(o => o is StateChanged));
    }

    [Fact]
    public void Consensus_with_a_peer_forms_the_commit_token_from_the_reported_ring_position()
    {
        var engine = Started(out _);
        engine.Handle(new RingPositionReport(new RingPosition(Aru: 7, HighSeqReceived: 9, HighDelivered: 6, false, default, 0)), 1);

        // The peer's join teaches us a processor: proc grows, GATHER restarts (and asks for Suspend again).
        var grown = engine.Handle(new MessageReceived(Join(2, 1, [1, 2], [])), 10);
        Assert.Equal([Me, Peer], engine.ProcSet.OrderBy(n => n));
        Assert.IsType<SuspendRing>(Assert.Single(Commands(grown)));

        // Its join with the same sets is its agreement: we are the lowest, we create and send the commit token.
        var agreed = engine.Handle(new MessageReceived(Join(2, 1, [1, 2], [])), 20).ToList();
        Assert.Equal(SrpState.Commit, engine.State);
        var enter = Assert.IsType<EnterCommit>(Assert.Single(Commands(agreed)));
        Assert.Equal(new RingId(Me, 1 + 4), enter.Ring.RingId);
        Assert.Equal([Me, Peer], enter.Ring.Members);
        Assert.Equal(Peer, enter.Ring.TokenTarget);

        var sent = Assert.IsType<CommitToken>(Assert.Single(agreed.OfType<SendMessage>(), s => s.Destination == Peer).Message);
        Assert.Equal(enter.CommitTokenSent, sent);
        Assert.Equal(1, sent.MemberIndex);
        // Our slot: the old ring (the ring we were on), its aru, high delivered, and whether we had everything.
        Assert.Equal(new CommitMember(Me, new RingId(Me, 1), 7, 6, false), sent.Members[0]);
        // TokenHolder saves the old ring before COMMIT is announced, so its log line comes first.
        Assert.True(agreed.FindIndex(o => o is TellTokenHolder) < agreed.FindIndex(o => o is StateChanged));
        Assert.Contains(agreed, o => o is RingSeqObserved { RingSeq: 5 });
    }

    [Fact]
    public void The_commit_token_back_after_the_second_rotation_installs_the_ring_into_token_holder()
    {
        var engine = Started(out _);
        engine.Handle(new RingPositionReport(default), 1);
        engine.Handle(new MessageReceived(Join(2, 1, [1, 2], [])), 10);
        var agreed = engine.Handle(new MessageReceived(Join(2, 1, [1, 2], [])), 20);
        var first = Assert.IsType<EnterCommit>(Assert.Single(Commands(agreed)));

        // The peer filled its slot and sent it back: a full round.
        var back = first.CommitTokenSent with
        {
            Sender = Peer, TokenSeq = first.CommitTokenSent.TokenSeq + 1, MemberIndex = 2,
            Members = first.CommitTokenSent.Members.Select(m => m.Node == Peer ? m with { OldRingId = new RingId(Peer, 1) } : m).ToValueList(),
        };
        var outputs = engine.Handle(new MessageReceived(back), 30).ToList();
        Assert.Equal(SrpState.Recovery, engine.State);
        var install = Assert.IsType<InstallRing>(Assert.Single(Commands(outputs)));
        Assert.Equal(first.Ring, install.Ring);
        Assert.Equal(back.TokenSeq + 1, install.CommitTokenSent.TokenSeq);
        Assert.Contains(outputs, o => o is SendMessage { Message: CommitToken, Destination: var d } && d == Peer);

        // TokenHolder reports the ring installed: OPERATIONAL, proc = members, the membership logged.
        var installed = engine.Handle(new InstalledReport(install.Ring, install.Ring.Members, install.Ring.Members, ValueList<NodeId>.Empty), 40);
        Assert.Equal(SrpState.Operational, engine.State);
        Assert.Equal([Me, Peer], engine.Members);
        Assert.Equal([Me, Peer], engine.ProcSet);
        Assert.Contains(installed, o => o is SrpLog l && l.Template.StartsWith("A new membership", StringComparison.Ordinal));
        Assert.Contains(installed, o => o is StateChanged { From: SrpState.Recovery, To: SrpState.Operational });
    }

    [Fact]
    public void Alone_the_node_forms_a_singleton_ring_through_its_own_join_and_commit_token()
    {
        var engine = Started(out var outputs);
        engine.Handle(new RingPositionReport(default), 1);
        // What the node hears from itself (loopback): its join, then its commit token, twice round a ring of one.
        var selfJoin = outputs.OfType<SelfDelivery>().Single().Message;
        var commit = engine.Handle(new MessageReceived(selfJoin), 2);
        Assert.Equal(SrpState.Commit, engine.State);
        var token = commit.OfType<SelfDelivery>().Single().Message;
        var recover = engine.Handle(new MessageReceived(token), 3);
        Assert.Equal(SrpState.Recovery, engine.State);
        var install = Assert.IsType<InstallRing>(Assert.Single(Commands(recover)));
        Assert.Equal([Me], install.Ring.Members);
        Assert.Equal(Me, install.Ring.TokenTarget);
        // The commit token's third visit tells the representative's TokenHolder to originate the ORF token.
        var third = engine.Handle(new MessageReceived(recover.OfType<SelfDelivery>().Single().Message), 4);
        Assert.IsType<OriginateToken>(Assert.Single(Commands(third)));
    }

    [Fact]
    public void Token_loss_reported_in_operational_starts_gather_and_suspends_the_ring()
    {
        var engine = Started(out var outputs);
        engine.Handle(new RingPositionReport(default), 1);
        var token = engine.Handle(new MessageReceived(outputs.OfType<SelfDelivery>().Single().Message), 2).OfType<SelfDelivery>().Single().Message;
        var recover = engine.Handle(new MessageReceived(token), 3);
        var install = (InstallRing)Commands(recover).Single();
        engine.Handle(new InstalledReport(install.Ring, install.Ring.Members, install.Ring.Members, ValueList<NodeId>.Empty), 4);
        Assert.Equal(SrpState.Operational, engine.State);

        var lost = engine.Handle(new TokenLostReport(), 5_000);
        Assert.Equal(SrpState.Gather, engine.State);
        Assert.IsType<SuspendRing>(Assert.Single(Commands(lost)));
        Assert.Contains(lost, o => o is StateChanged { Reason: "The token was lost in the OPERATIONAL state." });
        Assert.Equal(1ul, engine.Counters.OperationalTokenLost);
    }

    [Fact]
    public void A_foreign_ring_in_gather_adds_its_source_to_proc_once()
    {
        var engine = Started(out _);
        var first = engine.Handle(new ForeignRingReport(new NodeId(9)), 10);
        Assert.Contains(new NodeId(9), engine.ProcSet);
        Assert.Single(first.OfType<SendMessage>(), s => s.Message is JoinMessage);
        // Already in proc: nothing new, no gather restart.
        Assert.Empty(engine.Handle(new ForeignRingReport(new NodeId(9)), 20));
    }

    [Fact]
    public void Failed_to_receive_marks_this_node_failed_and_gathers()
    {
        var engine = Started(out _);
        var outputs = engine.Handle(new FailedToReceiveReport(), 10);
        Assert.Contains(Me, engine.FailedSet);
        Assert.Contains(Me, engine.ProcSet);
        var join = (JoinMessage)outputs.OfType<SendMessage>().Single().Message;
        Assert.Contains(Me, join.FailedList);
    }

    [Fact]
    public void Leave_sends_the_leave_message_and_ignores_everything_after()
    {
        var engine = Started(out _);
        var outputs = engine.Handle(new LeaveRing(), 10);
        Assert.IsType<LeaveMessage>(Assert.Single(outputs.OfType<SendMessage>()).Message);
        Assert.True(engine.HasLeft);
        Assert.Empty(engine.Handle(new MessageReceived(Join(2, 1, [1, 2], [])), 20));
    }

    [Fact]
    public void A_join_older_than_a_ring_its_sender_was_reported_on_is_dropped_as_stale()
    {
        var engine = Started(out _);
        // TokenHolder saw the peer's token or multicast on a ring of seq 12.
        engine.Handle(new PeerRingSeqReport(Peer, 12), 5);
        var stale = engine.Handle(new MessageReceived(Join(2, 8, [1, 2], [])), 10);
        Assert.Empty(stale);
        Assert.Equal([Me], engine.ProcSet);
        Assert.Equal(1ul, engine.Counters.RxMsgDropped);
        // Its current join is processed.
        engine.Handle(new MessageReceived(Join(2, 12, [1, 2], [])), 20);
        Assert.Contains(Peer, engine.ProcSet);
    }

    /// <summary>
    /// The representative of [1 2 3] in RECOVERY, with 4 failed in the gather that formed the ring (its join named
    /// us failed). Returns the engine and the ring's seq.
    /// </summary>
    private static MembershipEngine RepresentativeInRecovery(out ulong ringSeq)
    {
        var engine = Started(out _);
        engine.Handle(new RingPositionReport(default), 1);
        engine.Handle(new MessageReceived(Join(4, 1, [1, 2, 3, 4], [1])), 10);
        Assert.Equal([new NodeId(4)], engine.FailedSet);
        engine.Handle(new MessageReceived(Join(2, 1, [1, 2, 3, 4], [4])), 20);
        var agreed = engine.Handle(new MessageReceived(Join(3, 1, [1, 2, 3, 4], [4])), 30);
        var commit = Assert.IsType<EnterCommit>(Assert.Single(Commands(agreed)));
        Assert.Equal(Nodes(1, 2, 3), commit.Ring.Members);
        var back = commit.CommitTokenSent with
        {
            Sender = new NodeId(3), TokenSeq = commit.CommitTokenSent.TokenSeq + 2, MemberIndex = 3,
            Members = commit.CommitTokenSent.Members.Select(m => m.Node == Me ? m : m with { OldRingId = new RingId(Peer, 1) }).ToValueList(),
        };
        engine.Handle(new MessageReceived(back), 40);
        Assert.Equal(SrpState.Recovery, engine.State);
        ringSeq = commit.Ring.RingId.Seq;
        return engine;
    }

    private static JoinMessage SentJoin(IEnumerable<SrpOutput> outputs) =>
        (JoinMessage)outputs.OfType<SendMessage>().Last(s => s.Message is JoinMessage).Message;

    [Fact]
    public void A_join_from_a_member_that_installed_the_ring_ends_recovery_without_the_verdicts_that_formed_it()
    {
        var engine = RepresentativeInRecovery(out var ringSeq);

        // Member 2 installed the ring (its failed set is empty again), then a multicast of 4's ring put it back
        // into GATHER: its join reaches us before the token's last rotation would have installed the ring here.
        var outputs = engine.Handle(new MessageReceived(Join(2, ringSeq, [1, 2, 3, 4], [])), 50).ToList();

        Assert.Equal(SrpState.Gather, engine.State);
        Assert.Contains(outputs, o => o is TellTokenHolder { Command: AbandonRecovery });
        // We gather as 2 and 3 do after installing: 4 is back in proc and no longer failed. Keeping 4 failed would
        // make 2 and 3 (our old-ring mates) fail it again from our join, and every new ring would be [1 2 3] again.
        Assert.Empty(engine.FailedSet);
        Assert.Equal(Nodes(1, 2, 3, 4), engine.ProcSet.OrderBy(n => n.Value).ToValueList());
        var join = SentJoin(outputs);
        Assert.Empty(join.FailedList);
        Assert.Contains(new NodeId(4), join.ProcList);
    }

    [Fact]
    public void Token_loss_in_recovery_gathers_from_the_new_rings_members_with_nothing_failed()
    {
        var engine = RepresentativeInRecovery(out _);

        var outputs = engine.Handle(new TokenLostReport(), 2_000).ToList();

        Assert.Equal(SrpState.Gather, engine.State);
        Assert.Empty(engine.FailedSet);
        Assert.Equal(Nodes(1, 2, 3), engine.ProcSet.OrderBy(n => n.Value).ToValueList());
        var join = SentJoin(outputs);
        Assert.Equal(Nodes(1, 2, 3), join.ProcList.OrderBy(n => n.Value).ToValueList());
        Assert.Empty(join.FailedList);
    }

    [Fact]
    public void A_ring_installed_while_a_join_had_ended_recovery_is_adopted_in_gather()
    {
        var engine = RepresentativeInRecovery(out var ringSeq);
        engine.Handle(new MessageReceived(Join(2, ringSeq, [1, 2, 3, 4], [])), 50);
        Assert.Equal(SrpState.Gather, engine.State);

        // TokenHolder installed the ring before the AbandonRecovery reached it (the node's actors, not the composed engine).
        var ring = new RingConfig(new RingId(Me, ringSeq), Nodes(1, 2, 3), Peer);
        var outputs = engine.Handle(new InstalledReport(ring, ring.Members, ValueList<NodeId>.Empty, Nodes(4)), 60);

        Assert.Equal(Nodes(1, 2, 3), engine.Members.ToValueList());
        Assert.Equal(SrpState.Gather, engine.State);
        Assert.Contains(outputs, o => o is SrpLog l && l.Template.StartsWith("A new membership", StringComparison.Ordinal));
        Assert.DoesNotContain(outputs, o => o is StateChanged or TellTokenHolder or SendMessage);
        // The gather the join started goes on with the sets it had.
        Assert.Equal(Nodes(1, 2, 3, 4), engine.ProcSet.OrderBy(n => n.Value).ToValueList());
    }

    [Fact]
    public void EnterCommit_carries_the_position_written_into_the_commit_token()
    {
        var engine = Started(out _);
        var position = new RingPosition(Aru: 7, HighSeqReceived: 9, HighDelivered: 6, false, default, 0);
        engine.Handle(new RingPositionReport(position), 1);
        engine.Handle(new MessageReceived(Join(2, 1, [1, 2], [])), 10);

        var agreed = engine.Handle(new MessageReceived(Join(2, 1, [1, 2], [])), 20);

        Assert.Equal(position, Assert.IsType<EnterCommit>(Assert.Single(Commands(agreed))).Written);
    }

    /// <summary>
    /// A report TokenHolder sent before it took the EnterCommit (old ring not saved yet) reaches Membership after
    /// COMMIT: the next commit token after the failed attempt must still name the ring this node was last OPERATIONAL
    /// on as its old ring, not the failed one (else the others leave it out of their transitional configuration).
    /// </summary>
    [Fact]
    public void A_report_sent_before_the_commit_does_not_unsave_the_old_ring_for_the_next_commit_token()
    {
        var engine = RepresentativeInRecovery(out var failedRingSeq);
        var oldRing = new RingId(Me, 1);

        // TokenHolder's report from GATHER, overtaken by the EnterCommit between the two actors.
        engine.Handle(new RingPositionReport(new RingPosition(Aru: 3, HighSeqReceived: 3, HighDelivered: 3, false, oldRing, 0)), 45);
        // The recovery fails (token lost) and the next gather agrees on the same members.
        engine.Handle(new TokenLostReport(), 60);
        engine.Handle(new MessageReceived(Join(2, failedRingSeq, [1, 2, 3], [])), 70);
        var agreed = engine.Handle(new MessageReceived(Join(3, failedRingSeq, [1, 2, 3], [])), 80);

        var commit = Assert.IsType<EnterCommit>(Assert.Single(Commands(agreed)));
        Assert.True(commit.Ring.RingId.Seq > failedRingSeq);
        var mine = commit.CommitTokenSent.Members.Single(m => m.Node == Me);
        Assert.Equal(oldRing, mine.OldRingId);
        Assert.NotEqual(new RingId(Me, failedRingSeq), mine.OldRingId);
    }

    /// <summary>After a ring is installed the next commit token names that ring as the old one, whatever was saved before.</summary>
    [Fact]
    public void After_an_installed_ring_the_next_commit_token_names_it_as_the_old_ring()
    {
        var engine = RepresentativeInRecovery(out var ringSeq);
        var ring = new RingConfig(new RingId(Me, ringSeq), Nodes(1, 2, 3), Peer);
        engine.Handle(new InstalledReport(ring, ring.Members, Nodes(2, 3), ValueList<NodeId>.Empty), 50);
        Assert.Equal(SrpState.Operational, engine.State);

        engine.Handle(new TokenLostReport(), 60);
        engine.Handle(new RingPositionReport(new RingPosition(Aru: 9, HighSeqReceived: 9, HighDelivered: 9, false, ring.RingId, 0)), 61);
        engine.Handle(new MessageReceived(Join(2, ringSeq, [1, 2, 3], [3])), 70);
        var agreed = engine.Handle(new MessageReceived(Join(2, ringSeq, [1, 2, 3], [3])), 80);

        var commit = Assert.IsType<EnterCommit>(Assert.Single(Commands(agreed)));
        Assert.Equal(new CommitMember(Me, ring.RingId, 9, 9, true), commit.CommitTokenSent.Members.Single(m => m.Node == Me));
    }
}
