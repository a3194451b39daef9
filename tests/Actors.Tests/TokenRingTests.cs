using Akka.Actor;
using Serilog.Core;
using Totem.Nodes.Actors;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Nodes.Services;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;
using static Totem.Nodes.ActorTests.Nodes;

namespace Totem.Nodes.ActorTests;

public sealed class TokenRingTests : VirtualTimeTestKit
{
    private readonly NodeOptions _options = Options(1, 3);
    private readonly Akka.TestKit.TestProbe _adapter;
    private readonly Akka.TestKit.TestProbe _quorum;
    private readonly NodeBoard _board;

    public TokenRingTests()
    {
        _adapter = CreateTestProbe();
        _quorum = CreateTestProbe();
        _board = Board(_options, Sys);
    }

    private volatile bool _failNextOutput;

    private IActorRef StartRing()
    {
        var board = _board;
        var hooks = new RingHooks
        {
            ProtocolOutput = _ =>
            {
                if (!_failNextOutput) return;
                _failNextOutput = false;
                throw new InvalidOperationException("a bug in the ring");
            },
        };
        var ring = Sys.ActorOf(TokenRing.Props(
            () => new SrpOptions(_options.NodeId, _options.Timeouts) { InitialRingSeq = board.HighestRingSeq },
            board, _adapter, Forwarder.Props(_quorum), hooks, Logger.None), "ring");
        _quorum.ExpectMsg<ForwarderStarted>();
        return ring;
    }

    private void Sync(IActorRef actor)
    {
        actor.Tell(new Identify("sync"), TestActor);
        ExpectMsg<ActorIdentity>();
    }

    private List<TotemMessage> Sent() =>
        _adapter.ReceiveWhile(TimeSpan.FromMilliseconds(100), m => ((SendTotemMessage)m).Message).ToList();

    [Fact]
    public void On_start_it_multicasts_a_join_and_installs_a_ring_of_one_for_votequorum()
    {
        StartRing();

        var join = _adapter.FishForMessage<SendTotemMessage>(s => s.Message is JoinMessage);
        Assert.Null(join.Destination);
        Assert.Equal([N(1)], ((JoinMessage)join.Message).ProcList);
        var installed = _quorum.FishForMessage<RingInstalled>(_ => true);
        Assert.Equal([N(1)], installed.Members);
    }

    [Fact]
    public void A_join_from_a_peer_is_answered_with_a_join_naming_both()
    {
        var ring = StartRing();
        Sent();

        ring.Tell(new MessageReceived(new JoinMessage(N(2), 4, new[] { N(2) }.ToValueList(), ValueList<NodeId>.Empty)));

        var join = (JoinMessage)_adapter.FishForMessage<SendTotemMessage>(s => s.Message is JoinMessage).Message;
        Assert.Contains(N(1), join.ProcList);
        Assert.Contains(N(2), join.ProcList);
    }

    [Fact]
    public void In_gather_the_join_timer_multicasts_the_join_again_every_join_timeout()
    {
        var ring = StartRing();
        Sync(ring);
        ring.Tell(new MessageReceived(new JoinMessage(N(2), 4, new[] { N(2) }.ToValueList(), ValueList<NodeId>.Empty)));
        Sync(ring);
        Assert.Contains(Sent(), m => m is JoinMessage);
        var join = TimeSpan.FromMilliseconds(_options.Timeouts.Join);

        Advance(join - TimeSpan.FromMilliseconds(1));
        Sync(ring);
        Assert.DoesNotContain(Sent(), m => m is JoinMessage);

        Advance(TimeSpan.FromMilliseconds(1));
        Sync(ring);
        Assert.Contains(Sent(), m => m is JoinMessage j && j.ProcList.Contains(N(2)));
    }

    [Fact]
    public void A_peer_silent_after_its_join_is_declared_failed_when_consensus_expires()
    {
        var ring = StartRing();
        var first = _quorum.FishForMessage<RingInstalled>(_ => true);
        ring.Tell(new MessageReceived(new JoinMessage(N(2), 4, new[] { N(2) }.ToValueList(), ValueList<NodeId>.Empty)));
        Sync(ring);
        Sent();

        Advance(TimeSpan.FromMilliseconds(_options.Timeouts.Consensus));
        Sync(ring);

        // Failing 2 leaves only us: that join goes to ourselves, not on the wire (MembershipEngine.LeavesOnlyMe),
        // and installs our ring of one.
        Assert.DoesNotContain(Sent(), m => m is JoinMessage j && j.FailedList.Contains(N(2)));
        var second = _quorum.FishForMessage<RingInstalled>(_ => true);
        Assert.Equal([N(1)], second.Members);
        Assert.True(second.RingId.Seq > first.RingId.Seq);
    }

    [Fact]
    public void A_submitted_message_is_queued_and_answered()
    {
        var ring = StartRing();

        ring.Tell(new SubmitApplicationMessage([1, 2, 3]), TestActor);

        Assert.True(ExpectMsg<SubmitResult>().Accepted);
    }

    [Fact]
    public void A_leave_command_puts_a_leave_on_the_wire_and_confirms()
    {
        var ring = StartRing();
        Sent();

        ring.Tell(new LeaveRingCommand(), TestActor);

        ExpectMsg<LeaveSent>();
        Assert.Contains(Sent(), m => m is LeaveMessage);
    }

    [Fact]
    public void Expected_votes_commands_go_to_votequorum_with_the_asker_as_sender()
    {
        var ring = StartRing();

        ring.Tell(new SetExpectedVotesCommand(2), TestActor);

        _quorum.FishForMessage<SetExpectedVotesCommand>(_ => true);
        Assert.Equal(TestActor, _quorum.LastSender);
    }

    [Fact]
    public void A_ring_that_throws_is_restarted_as_a_rebooted_node_above_the_ring_seqs_it_saw()
    {
        var ring = StartRing();
        var first = _quorum.FishForMessage<RingInstalled>(_ => true);

        _failNextOutput = true;
        ring.Tell(new MessageReceived(new JoinMessage(N(2), 4, new[] { N(2) }.ToValueList(), ValueList<NodeId>.Empty)));

        _quorum.FishForMessage<ForwarderStarted>(_ => true);
        var second = _quorum.FishForMessage<RingInstalled>(_ => true);
        Assert.True(second.RingId.Seq > first.RingId.Seq, $"{second.RingId} after {first.RingId}");
    }
}

public sealed class RetransmitTimerTests : VirtualTimeTestKit
{
    private sealed class Host : ReceiveActor, IWithTimers
    {
        public Host(IActorRef probe)
        {
            Receive<(SrpTimer Timer, uint Ms)>(start => Timer.Start(start.Timer, start.Ms));
            Receive<SrpTimer>(stop => Timer.Stop(stop));
            Receive<RingTimerExpired>(expired => probe.Tell(expired));
            Receive<string>(_ => Sender.Tell("synced"));
        }

        public ITimerScheduler Timers { get; set; } = null!;
        private RetransmitTimer Timer => new(Timers);
    }

    private IActorRef Start() => Sys.ActorOf(Akka.Actor.Props.Create(() => new Host(TestActor)));

    private void Sync(IActorRef host)
    {
        host.Tell("sync", TestActor);
        ExpectMsg("synced");
    }

    [Fact]
    public void A_started_timer_expires_once_after_its_delay()
    {
        var host = Start();
        host.Tell((SrpTimer.TokenLoss, 1000u));
        Sync(host);

        Advance(TimeSpan.FromMilliseconds(999));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(SrpTimer.TokenLoss, ExpectMsg<RingTimerExpired>().Timer);
        Advance(TimeSpan.FromSeconds(10));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Starting_a_running_timer_again_replaces_its_arming()
    {
        var host = Start();
        host.Tell((SrpTimer.Consensus, 100u));
        Sync(host);
        Advance(TimeSpan.FromMilliseconds(50));
        host.Tell((SrpTimer.Consensus, 100u));
        Sync(host);

        Advance(TimeSpan.FromMilliseconds(99));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Advance(TimeSpan.FromMilliseconds(1));
        ExpectMsg<RingTimerExpired>();
        Advance(TimeSpan.FromSeconds(1));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void A_stopped_timer_never_expires_and_other_timers_are_untouched()
    {
        var host = Start();
        host.Tell((SrpTimer.Join, 50u));
        host.Tell((SrpTimer.TokenHold, 80u));
        host.Tell(SrpTimer.Join);
        Sync(host);

        Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(SrpTimer.TokenHold, ExpectMsg<RingTimerExpired>().Timer);
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }
}
