using Akka.Actor;
using Akka.TestKit;
using Serilog.Core;
using Totem.Nodes.Actors;
using Totem.Nodes.Messages;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;
using static Totem.Nodes.ActorTests.Nodes;

namespace Totem.Nodes.ActorTests;

/// <summary>Membership alone: a probe plays TokenHolder (the batches out, its reports in), another the adapter.</summary>
public sealed class MembershipTests : VirtualTimeTestKit
{
    private readonly NodeOptions _options = Options(1, 3);
    private readonly TestProbe _adapter;
    private readonly TestProbe _tokenHolder;
    private readonly NodeBoard _board;
    private readonly IActorRef _membership;

    public MembershipTests()
    {
        _adapter = CreateTestProbe();
        _tokenHolder = CreateTestProbe();
        _board = Board(_options, Sys);
        var board = _board;
        _membership = Sys.ActorOf(Membership.Props(() => new SrpOptions(_options.NodeId, _options.Timeouts) { InitialRingSeq = board.HighestRingSeq },
            _board, _adapter, _tokenHolder, RingHooks.None, Logger.None), "membership");
    }

    private MembershipBatch NextBatch() => _tokenHolder.ExpectMsg<MembershipBatch>();

    /// <summary>Answers a batch as TokenHolder does, with whatever reports the step made.</summary>
    private void Answer(MembershipBatch batch, params TokenReport[] reports) =>
        _tokenHolder.Send(_membership, new TokenHolderReports(batch.Incarnation, batch.Seq, reports));

    private static RingPositionReport Position() => new(default);

    private static JoinMessage JoinFrom2() => new(N(2), 4, new[] { N(2) }.ToValueList(), ValueList<NodeId>.Empty);

    /// <summary>What Membership sent within the next 100 ms: for draining, and for checking that something is not sent.</summary>
    private List<TotemMessage> Sent() =>
        _adapter.ReceiveWhile(TimeSpan.FromMilliseconds(100), m => ((SendTotemMessage)m).Message).ToList();

    /// <summary>
    /// Fails unless Membership sends a message that matches <paramref name="expected"/> within the probe's default wait
    /// (seconds, for a loaded machine); returns what it sent up to that one and within 100 ms after it.
    /// </summary>
    private List<TotemMessage> ExpectSent(Func<TotemMessage, bool> expected)
    {
        var sent = new List<TotemMessage>();
        _adapter.FishForMessage<SendTotemMessage>(m =>
        {
            sent.Add(m.Message);
            return expected(m.Message);
        });
        sent.AddRange(Sent());
        return sent;
    }

    /// <summary>Plays TokenHolder through the formation of the ring of one, up to the ring installed: Membership is OPERATIONAL.</summary>
    private RingConfig Operational()
    {
        InstallRing? install = null;
        while (true)
        {
            var batch = NextBatch();
            install ??= batch.Items.OfType<InstallRing>().SingleOrDefault();
            if (batch.Items.OfType<OriginateToken>().Any())
            {
                var ring = install!.Ring;
                Answer(batch, new InstalledReport(ring, ring.Members, ring.Members, ValueList<NodeId>.Empty));
                AwaitCondition(() => _board.Status().State == SrpState.Operational);
                Sent();
                return ring;
            }
            Answer(batch, Position());
        }
    }

    [Fact]
    public void On_start_it_multicasts_a_join_and_asks_token_holder_to_suspend_the_ring()
    {
        var join = _adapter.FishForMessage<SendTotemMessage>(s => s.Message is JoinMessage);

        Assert.Null(join.Destination);
        Assert.Equal([N(1)], ((JoinMessage)join.Message).ProcList);
        var batch = NextBatch();
        Assert.Equal(1, batch.Seq);
        Assert.IsType<SuspendRing>(Assert.Single(batch.Items));
    }

    [Fact]
    public void Until_token_holder_answers_a_batch_every_other_input_waits()
    {
        Operational();
        _membership.Tell(new MessageReceived(JoinFrom2()));
        var suspend = NextBatch();
        Assert.IsType<SuspendRing>(Assert.Single(suspend.Items));
        Sent();

        _membership.Tell(new MessageReceived(new JoinMessage(N(3), 4, new[] { N(3) }.ToValueList(), ValueList<NodeId>.Empty)));
        Assert.DoesNotContain(Sent(), m => m is JoinMessage);
        _tokenHolder.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        Answer(suspend, Position());
        // 3's join is handled once the answer is in: proc grows, GATHER again.
        ExpectSent(m => m is JoinMessage j && j.ProcList.Contains(N(3)) && j.ProcList.Contains(N(2)));
    }

    [Fact]
    public void A_ring_of_one_forms_one_answered_command_at_a_time_with_the_token_timers_handed_to_token_holder()
    {
        var commands = new List<MembershipCommand>();
        MembershipBatch batch;
        do
        {
            batch = NextBatch();
            commands.AddRange(batch.Items.OfType<MembershipCommand>());
            if (batch.Items.FirstOrDefault() is EnterCommit)
                Assert.Contains(batch.Items, i => i is StartTimer { Timer: SrpTimer.TokenLoss });
            Assert.DoesNotContain(batch.Items, i => i is StartTimer { Timer: SrpTimer.Join or SrpTimer.Consensus });
            // Nothing more until this batch is answered.
            _tokenHolder.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
            Answer(batch, Position());
        }
        while (!batch.Items.OfType<OriginateToken>().Any());

        Assert.Equal([typeof(SuspendRing), typeof(EnterCommit), typeof(InstallRing), typeof(OriginateToken)], commands.Select(c => c.GetType()));
        Assert.Equal(SrpState.Recovery, _board.Status().State);
    }

    [Fact]
    public void A_token_loss_token_holder_reported_before_it_saw_the_last_re_arming_of_its_timer_is_dropped()
    {
        Answer(NextBatch(), Position());
        var commit = NextBatch();
        Assert.IsType<EnterCommit>(commit.Items[0]);
        Assert.Equal(SrpState.Commit, _board.Status().State);

        // Made before TokenHolder handled the EnterCommit batch, which re-arms the token loss timer: stale.
        _tokenHolder.Send(_membership, new TokenHolderReports(commit.Incarnation, commit.Seq - 1, [new TokenLostReport()]));
        _tokenHolder.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(SrpState.Commit, _board.Status().State);

        // The same loss after it: the token was lost in COMMIT, back to GATHER.
        Answer(commit, new TokenLostReport());
        Assert.IsType<SuspendRing>(Assert.Single(NextBatch().Items.OfType<MembershipCommand>()));
        Assert.Equal(SrpState.Gather, _board.Status().State);
    }

    [Fact]
    public void In_gather_the_join_timer_multicasts_the_join_again_every_join_timeout()
    {
        Operational();
        _membership.Tell(new MessageReceived(JoinFrom2()));
        Answer(NextBatch(), Position());
        ExpectSent(m => m is JoinMessage);
        var join = TimeSpan.FromMilliseconds(_options.Timeouts.Join);

        Advance(join - TimeSpan.FromMilliseconds(1));
        Assert.DoesNotContain(Sent(), m => m is JoinMessage);

        Advance(TimeSpan.FromMilliseconds(1));
        ExpectSent(m => m is JoinMessage j && j.ProcList.Contains(N(2)));
    }

    [Fact]
    public void A_peer_silent_after_its_join_is_declared_failed_when_consensus_expires_and_a_ring_of_one_forms_again()
    {
        var first = Operational();
        _membership.Tell(new MessageReceived(JoinFrom2()));
        Answer(NextBatch(), Position());
        Sent();

        Advance(TimeSpan.FromMilliseconds(_options.Timeouts.Consensus));

        // Failing 2 leaves only us: that join goes to ourselves, not on the wire (MembershipEngine.LeavesOnlyMe).
        var second = Operational();
        Assert.DoesNotContain(Sent(), m => m is JoinMessage j && j.FailedList.Contains(N(2)));
        Assert.True(second.RingId.Seq > first.RingId.Seq);
        Assert.Equal([N(1)], second.Members);
    }

    [Fact]
    public void A_leave_puts_the_leave_on_the_wire_confirms_and_tells_token_holder_the_ring_is_left()
    {
        Operational();

        _membership.Tell(new LeaveRingCommand(), TestActor);

        ExpectMsg<LeaveSent>();
        ExpectSent(m => m is LeaveMessage);
        var batch = NextBatch();
        Assert.IsType<RingLeft>(batch.Items[^1]);
        Assert.Contains(batch.Items, i => i is StopTimer { Timer: SrpTimer.TokenLoss });
    }

    [Fact]
    public void Reports_of_another_incarnation_are_dropped()
    {
        var first = NextBatch();

        _tokenHolder.Send(_membership, new TokenHolderReports(new RingIncarnation(), first.Seq, [new RingPositionReport(default)]));

        // Not an answer: the join Membership sends itself waits, so no commit follows.
        _tokenHolder.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Answer(first, Position());
        Assert.IsType<EnterCommit>(NextBatch().Items[0]);
    }

    [Fact]
    public void A_timer_expiry_held_for_an_answer_is_dropped_when_a_report_re_armed_that_timer_meanwhile()
    {
        Operational();
        _membership.Tell(new MessageReceived(JoinFrom2()));
        Answer(NextBatch(), Position());
        _membership.Tell(new MessageReceived(new JoinMessage(N(3), 4, new[] { N(3) }.ToValueList(), ValueList<NodeId>.Empty)));
        var unanswered = NextBatch();
        Sent();

        // The join timer expires while the answer is due: the expiry waits.
        Advance(TimeSpan.FromMilliseconds(_options.Timeouts.Join));
        Assert.DoesNotContain(Sent(), m => m is JoinMessage);

        // The answer says this node failed to receive: GATHER again, with a join and the join timer re-armed.
        Answer(unanswered, new FailedToReceiveReport());
        Assert.Single(ExpectSent(m => m is JoinMessage), m => m is JoinMessage);
        Answer(NextBatch(), Position());

        // The held expiry belonged to the arming the gather replaced: no second join.
        Assert.DoesNotContain(Sent(), m => m is JoinMessage);
    }
}
