using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Srp;

/// <summary>TokenHolder's engine alone: Membership's commands and the ring's traffic in, its reports and effects out.</summary>
public class TokenHolderEngineTests
{
    private static readonly NodeId Me = new(1);
    private static readonly NodeId Peer = new(2);
    private static readonly RingId OldRing = new(Me, 1);
    private static readonly RingId NewRing = new(Me, 5);
    private static readonly RingConfig Ring = new(NewRing, new[] { Me, Peer }.ToValueList(), Peer);

    private static CommitToken CommitFor(RingConfig ring) => new(Me, ring.RingId, 2, ring.Members.Count,
        ring.Members.Select(n => new CommitMember(n, OldRing, 0, 0, true)).ToValueList());

    private static OrfToken Token(uint tokenSeq, uint seq, uint aru = 0, RingId? ring = null, NodeId aruAddr = default) =>
        new(Peer, ring ?? NewRing, seq, tokenSeq, aru, aruAddr, 0, 0, false, ValueList<uint>.Empty);

    private static McastMessage Mcast(uint seq, string text) =>
        new(Peer, NewRing, seq, Peer, DeliveryGuarantee.Agreed, PgFrame.Single(text.Select(c => (byte)c).ToValueList()), null);

    private static T Report<T>(IEnumerable<SrpOutput> outputs) where T : TokenReport =>
        Assert.Single(outputs.OfType<TellMembership>().Select(t => t.Report).OfType<T>());

    /// <summary>What Membership does on the way to a new ring: suspend, commit, install; then the recovery token's rotations.</summary>
    private static TokenHolderEngine Installed(out List<SrpOutput> lastVisit)
    {
        var engine = new TokenHolderEngine(new SrpOptions(Me, CorosyncDefaults.For(2)));
        engine.Handle(new SuspendRing(), 0);
        engine.Handle(new EnterCommit(Ring, CommitFor(Ring), engine.Position), 10);
        engine.Handle(new InstallRing(Ring, CommitFor(Ring), ReceivedFlg: true), 20);
        Assert.Equal(SrpState.Recovery, engine.State);
        // Two quiet rotations fix the install seq, two more with it under the token's aru install the ring.
        lastVisit = [];
        for (uint visit = 1; visit <= 4; visit++)
            lastVisit = engine.Handle(new MessageReceived(Token(visit, 0)), 20 + visit * 10).ToList();
        Assert.Equal(SrpState.Operational, engine.State);
        return engine;
    }

    [Fact]
    public void Suspend_stops_the_token_timers_and_answers_with_the_ring_position()
    {
        var engine = new TokenHolderEngine(new SrpOptions(Me, CorosyncDefaults.For(2)));
        var outputs = engine.Handle(new SuspendRing(), 0);

        Assert.Equal(SrpState.Gather, engine.State);
        Assert.Equal([SrpTimer.TokenRetransmit, SrpTimer.TokenLoss, SrpTimer.TokenWarning, SrpTimer.Merge],
            outputs.OfType<StopTimer>().Select(s => s.Timer));
        var report = Report<RingPositionReport>(outputs);
        Assert.Equal(new RingPosition(0, 0, 0, false, default, 0), report.Position);
    }

    [Fact]
    public void A_suspended_ring_drops_tokens_as_a_node_in_gather_does()
    {
        var engine = new TokenHolderEngine(new SrpOptions(Me, CorosyncDefaults.For(2)));
        engine.Handle(new SuspendRing(), 0);
        var outputs = engine.Handle(new MessageReceived(Token(1, 0, ring: engine.RingId)), 5);
        Assert.DoesNotContain(outputs, o => o is SendMessage or StartTimer or StopTimer or Delivered);
        Assert.DoesNotContain(outputs, o => o is TellMembership { Report: RingPositionReport or TokenLostReport or ForeignRingReport or InstalledReport or FailedToReceiveReport });
        Assert.Equal(1ul, engine.Counters.OrfTokenRx);
        Assert.Equal(0ul, engine.Counters.OrfTokenTx);
    }

    [Fact]
    public void EnterCommit_saves_the_old_ring_once_and_reports_it()
    {
        var engine = new TokenHolderEngine(new SrpOptions(Me, CorosyncDefaults.For(2)));
        engine.Handle(new SuspendRing(), 0);
        var first = engine.Handle(new EnterCommit(Ring, CommitFor(Ring), engine.Position), 10);
        Assert.Contains(first, o => o is SrpLog l && l.Template.StartsWith("Saving state", StringComparison.Ordinal));
        var saved = Report<RingPositionReport>(first).Position;
        Assert.True(saved.OldRingSaved);
        Assert.Equal(Ring.RingId, engine.RingId);

        // A second attempt (the first commit failed) keeps the state saved the first time.
        var again = engine.Handle(new EnterCommit(Ring with { RingId = new RingId(Me, 9) }, CommitFor(Ring), engine.Position), 20);
        Assert.DoesNotContain(again, o => o is SrpLog l && l.Template.StartsWith("Saving state", StringComparison.Ordinal));
        Assert.Equal(saved.OldRingId, Report<RingPositionReport>(again).Position.OldRingId);
    }

    [Fact]
    public void In_commit_the_token_retransmit_timer_resends_the_commit_token_handed_over()
    {
        var engine = new TokenHolderEngine(new SrpOptions(Me, CorosyncDefaults.For(2)));
        engine.Handle(new SuspendRing(), 0);
        var commit = CommitFor(Ring);
        engine.Handle(new EnterCommit(Ring, commit, engine.Position), 10);
        var outputs = engine.Handle(new TimerExpired(SrpTimer.TokenRetransmit), 20);
        var sent = Assert.Single(outputs.OfType<SendMessage>());
        Assert.Equal(commit, sent.Message);
        Assert.Equal(Peer, sent.Destination);
    }

    [Fact]
    public void Recovery_installs_the_ring_and_reports_it_with_the_configuration_changes()
    {
        Installed(out var lastVisit);
        var installed = Report<InstalledReport>(lastVisit);
        Assert.Equal([Me, Peer], installed.Members);
        Assert.Equal([Me, Peer], installed.Joined);
        Assert.Equal(
            [ConfigurationKind.Transitional, ConfigurationKind.Regular],
            lastVisit.OfType<ConfigurationChanged>().Select(c => c.Kind));
        // The token goes on to the next member in the same visit.
        Assert.Contains(lastVisit, o => o is SendMessage { Message: OrfToken, Destination: var d } && d == Peer);
    }

    [Fact]
    public void Multicasts_are_delivered_in_seq_order_and_a_gap_holds_delivery_back()
    {
        var engine = Installed(out _);
        var delivered = new List<(uint Seq, int Piece)>();
        void Feed(SrpInput input, long now) =>
            delivered.AddRange(engine.Handle(input, now).OfType<Delivered>().Select(d => (d.Seq, d.Piece)));
        Feed(new TransAck(NewRing), 95);

        // Our own messages go out packed in one multicast on the next token visit and are delivered at once (agreed order).
        Feed(new SubmitMessage(new byte[] { 1 }.ToValueList(), DeliveryGuarantee.Agreed), 100);
        Feed(new SubmitMessage(new byte[] { 2 }.ToValueList(), DeliveryGuarantee.Agreed), 100);
        Feed(new MessageReceived(Token(5, 0)), 110);
        Assert.Equal([(1u, 0), (1u, 1)], delivered);

        // The peer's 3 arrives before its 2: nothing until the gap is filled, then both in order.
        Feed(new MessageReceived(Mcast(3, "three")), 120);
        Assert.Equal([(1u, 0), (1u, 1)], delivered);
        Feed(new MessageReceived(Mcast(2, "two")), 130);
        Assert.Equal([(1u, 0), (1u, 1), (2u, 0), (3u, 0)], delivered);
        Assert.Equal(3u, engine.MyAru);
        Assert.Equal(3u, engine.HighDelivered);
    }

    [Fact]
    public void Token_loss_in_operational_is_logged_and_reported_to_membership()
    {
        var engine = Installed(out _);
        var outputs = engine.Handle(new TimerExpired(SrpTimer.TokenLoss), 5_000);
        Assert.Contains(outputs, o => o is SrpLog { Level: SrpLogLevel.Notice } l && l.Template.StartsWith("A processor failed", StringComparison.Ordinal));
        Report<TokenLostReport>(outputs);
        // The ring is suspended only when Membership says so.
        Assert.Equal(SrpState.Operational, engine.State);
    }

    [Fact]
    public void Token_loss_in_recovery_restores_the_old_ring_position_before_reporting()
    {
        var engine = new TokenHolderEngine(new SrpOptions(Me, CorosyncDefaults.For(2)));
        engine.Handle(new SuspendRing(), 0);
        engine.Handle(new EnterCommit(Ring, CommitFor(Ring), engine.Position), 10);
        engine.Handle(new InstallRing(Ring, CommitFor(Ring), ReceivedFlg: true), 20);
        var outputs = engine.Handle(new TimerExpired(SrpTimer.TokenLoss), 3_000).ToList();
        var restore = outputs.FindIndex(o => o is SrpLog l && l.Template.StartsWith("Restoring", StringComparison.Ordinal));
        var lost = outputs.FindIndex(o => o is TellMembership { Report: TokenLostReport });
        Assert.InRange(restore, 0, lost - 1);
    }

    [Fact]
    public void A_multicast_of_another_ring_is_reported_as_a_foreign_ring()
    {
        var engine = Installed(out _);
        var foreign = new McastMessage(new NodeId(7), new RingId(new NodeId(7), 40), 1, new NodeId(7),
            DeliveryGuarantee.Agreed, PgFrame.Empty, null);
        var report = Report<ForeignRingReport>(engine.Handle(new MessageReceived(foreign), 100));
        Assert.Equal(new NodeId(7), report.Source);
        Assert.DoesNotContain(engine.Handle(new MessageReceived(foreign), 100), o => o is Delivered);
    }

    [Fact]
    public void Failing_to_receive_for_fail_to_recv_const_rotations_is_reported()
    {
        var engine = Installed(out _);
        // The peer multicast seq 1 that never reached us: every token comes back with the aru we set (0, by us).
        var outputs = new List<SrpOutput>();
        for (uint visit = 5; visit < 5 + CorosyncDefaults.For(2).FailReceiveConst + 5 && !outputs.Any(o => o is TellMembership { Report: FailedToReceiveReport }); visit++)
            outputs = engine.Handle(new MessageReceived(Token(visit, seq: 1, aru: 0, aruAddr: Me)), visit * 10).ToList();
        Report<FailedToReceiveReport>(outputs);
        Assert.Contains(outputs, o => o is SrpLog { Level: SrpLogLevel.Error });
    }

    [Fact]
    public void A_token_behind_what_the_ring_already_multicast_trips_an_invariant_instead_of_corrupting_the_log()
    {
        var engine = Installed(out _);
        engine.Handle(new TransAck(NewRing), 95);
        engine.Handle(new MessageReceived(Mcast(1, "a")), 100);
        engine.Handle(new MessageReceived(Mcast(2, "b")), 100);
        engine.Handle(new SubmitMessage(new byte[] { 9 }.ToValueList(), DeliveryGuarantee.Agreed), 100);
        // No correct ring sends this: a fresh token (higher token seq) whose seq is below messages already
        // multicast. Our message would take seq 1 again and the high seq would fall below the aru.
        var violation = Assert.Throws<InvariantViolation>(() => engine.Handle(new MessageReceived(Token(5, seq: 0)), 110));
        Assert.Equal(nameof(TokenHolderEngine), violation.Engine);
        Assert.StartsWith("aru", violation.Invariant, StringComparison.Ordinal);
        // The text is formatted only when the check fails (InvariantText): every hole of it still filled in.
        Assert.Matches("^aru [0-9a-f]+ <= high seq received [0-9a-f]+$", violation.Invariant);
    }

    [Fact]
    public void EnterCommit_saves_the_position_membership_wrote_not_the_log_as_it_stands()
    {
        var engine = new TokenHolderEngine(new SrpOptions(Me, CorosyncDefaults.For(2)));
        engine.Handle(new SuspendRing(), 0);
        var written = engine.Position;
        // An old-ring multicast moves the log after the report Membership wrote into the commit token.
        engine.Handle(new MessageReceived(new McastMessage(Peer, OldRing, 1, Peer, DeliveryGuarantee.Agreed, PgFrame.Empty, null)), 5);
        Assert.Equal(1u, engine.MyAru);

        engine.Handle(new EnterCommit(Ring, CommitFor(Ring), written), 10);

        // The saved old-ring state is what the other members were told, and the multicast is gone as if it came
        // after the commit (corosync, on the new ring id by then, drops it as foreign).
        Assert.True(engine.Position.OldRingSaved);
        Assert.Equal(written.Aru, engine.Position.OldRingAru);
        Assert.Equal(written.Aru, engine.MyAru);
        Assert.Equal(written.HighSeqReceived, engine.HighSeqReceived);
    }

    [Fact]
    public void A_late_old_ring_multicast_that_another_member_recovers_is_delivered_before_the_new_ring()
    {
        // pauses seed 26743703: a multicast reaches this node after the position written into the commit token;
        // another member, which had it, re-multicasts it in RECOVERY. Every member of the transitional
        // configuration delivered it or delivers it before the new ring, this one included.
        var engine = new TokenHolderEngine(new SrpOptions(Me, CorosyncDefaults.For(2)));
        engine.Handle(new SuspendRing(), 0);
        var written = engine.Position;
        var late = new McastMessage(Peer, OldRing, 1, Peer, DeliveryGuarantee.Agreed, PgFrame.Single(new byte[] { 7 }.ToValueList()), null);
        engine.Handle(new MessageReceived(late), 5);

        var commit = new CommitToken(Me, NewRing, 2, 2, new[]
        {
            new CommitMember(Me, OldRing, written.Aru, written.HighDelivered, true),
            new CommitMember(Peer, OldRing, 1, 0, true),
        }.ToValueList());
        engine.Handle(new EnterCommit(Ring, commit, written), 10);
        engine.Handle(new InstallRing(Ring, commit, ReceivedFlg: true), 20);
        // The peer's re-multicast of its seq 1 on the recovery ring.
        var carrier = new McastMessage(Peer, NewRing, 1, Peer, DeliveryGuarantee.Agreed, PgFrame.Empty, late);
        var delivered = new List<Delivered>();
        delivered.AddRange(engine.Handle(new MessageReceived(carrier), 25).OfType<Delivered>());
        for (uint visit = 1; visit <= 4; visit++)
            delivered.AddRange(engine.Handle(new MessageReceived(Token(visit, 1, aru: 1)), 20 + visit * 10).OfType<Delivered>());

        Assert.Equal(SrpState.Operational, engine.State);
        var old = Assert.Single(delivered);
        Assert.Equal((OldRing, 1u, Peer), (old.RingId, old.Seq, old.Source));
    }

    [Fact]
    public void AbandonRecovery_after_the_ring_was_installed_leaves_the_new_rings_log_alone()
    {
        var engine = Installed(out _);
        engine.Handle(new MessageReceived(Mcast(1, "a")), 100);
        var before = engine.Position;

        // Between the node's actors the command can cross the installation (a new member's join reached Membership first).
        var outputs = engine.Handle(new AbandonRecovery(), 110);

        Assert.DoesNotContain(outputs, o => o is SrpLog l && l.Template.StartsWith("Restoring", StringComparison.Ordinal));
        Assert.Equal(before.Aru, engine.MyAru);
        Assert.Equal(before.HighSeqReceived, engine.HighSeqReceived);
        Assert.Equal(SrpState.Operational, engine.State);
    }

    [Fact]
    public void AbandonRecovery_behind_the_suspension_of_the_same_gather_restores_the_old_rings_position()
    {
        var engine = new TokenHolderEngine(new SrpOptions(Me, CorosyncDefaults.For(2)));
        engine.Handle(new SuspendRing(), 0);
        engine.Handle(new MessageReceived(new McastMessage(Peer, OldRing, 1, Peer, DeliveryGuarantee.Agreed, PgFrame.Empty, null)), 5);
        engine.Handle(new EnterCommit(Ring, CommitFor(Ring), engine.Position), 10);
        engine.Handle(new InstallRing(Ring, CommitFor(Ring), ReceivedFlg: true), 20);
        Assert.Equal(0u, engine.MyAru);

        // A join from a new member in RECOVERY: Membership's GatherEnter (SuspendRing) can come before its AbandonRecovery.
        engine.Handle(new SuspendRing(), 30);
        var outputs = engine.Handle(new AbandonRecovery(), 30);

        Assert.Contains(outputs, o => o is SrpLog l && l.Template.StartsWith("Restoring", StringComparison.Ordinal));
        Assert.Equal(1u, engine.MyAru);
        Assert.Equal(1u, engine.HighSeqReceived);
    }
}
