using Akka.Actor;
using Akka.TestKit;
using Serilog.Core;
using Totem.Nodes.Actors;
using Totem.Nodes.Control;
using Totem.Nodes.Messages;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;
using static Totem.Nodes.ActorTests.Nodes;

namespace Totem.Nodes.ActorTests;

/// <summary>TokenHolder alone: a probe plays Membership (its batches in, the reports out), another the adapter.</summary>
public sealed class TokenHolderTests : VirtualTimeTestKit
{
    // The ring the engine boots on (InitialRingSeq 0, bumped as Membership bumps it) and a ring of one to install.
    private static readonly RingId BootRing = new(N(1), 1);
    private static readonly RingConfig RingOfOne = new(new RingId(N(1), 5), new[] { N(1) }.ToValueList(), N(1));

    private readonly NodeOptions _options = Options(1, 3);
    private readonly TestProbe _adapter;
    private readonly TestProbe _quorum;
    private readonly TestProbe _membership;
    private readonly RingIncarnation _incarnation = new();
    private readonly NodeBoard _board;
    private readonly IActorRef _holder;
    private int _seq;

    public TokenHolderTests()
    {
        _adapter = CreateTestProbe();
        _quorum = CreateTestProbe();
        _membership = CreateTestProbe();
        _board = Board(_options, Sys);
        _holder = Sys.ActorOf(TokenHolder.Props(() => new SrpOptions(_options.NodeId, _options.Timeouts), _board, _adapter,
            Forwarder.Props(_quorum), Props.Empty, RingHooks.None, Logger.None), "token-holder");
        _quorum.ExpectMsg<ForwarderStarted>();
    }

    /// <summary>Sends the next batch as Membership would and returns TokenHolder's answer to it.</summary>
    private TokenHolderReports Batch(params object[] items)
    {
        _seq++;
        _membership.Send(_holder, new MembershipBatch(_incarnation, _seq, items));
        var answer = _membership.FishForMessage<TokenHolderReports>(r => r.Seen == _seq);
        Assert.Same(_incarnation, answer.Incarnation);
        return answer;
    }

    private static OrfToken Token(RingId ring, uint tokenSeq) =>
        new(N(2), ring, 0, tokenSeq, 0, default, 0, 0, false, ValueList<uint>.Empty);

    /// <summary>Waits (up to the probe's default, seconds on a loaded machine) for the one token sent, then checks no second follows.</summary>
    private OrfToken TheOneSentToken()
    {
        var sent = _adapter.FishForMessage<SendTotemMessage>(m => m.Message is OrfToken);
        Assert.Empty(SentTokens());
        return (OrfToken)sent.Message;
    }

    /// <summary>The tokens sent within the next 100 ms: for checking that none is (a wait for one that must come is <see cref="TheOneSentToken"/>).</summary>
    private List<OrfToken> SentTokens() =>
        _adapter.ReceiveWhile(TimeSpan.FromMilliseconds(100), m => (m as SendTotemMessage)?.Message as OrfToken).OfType<OrfToken>().ToList();

    [Fact]
    public void It_holds_every_input_until_membership_s_first_batch_then_handles_them_in_order()
    {
        _holder.Tell(new SubmitApplicationMessage([1]), TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        var answer = Batch(new SuspendRing());

        Assert.IsType<RingPositionReport>(Assert.Single(answer.Reports));
        Assert.True(ExpectMsg<SubmitResult>().Accepted);
    }

    [Fact]
    public void Every_batch_is_answered_with_the_batch_it_saw_even_without_reports()
    {
        Batch(new SuspendRing());

        var answer = Batch(new StartTimer(SrpTimer.TokenRetransmit, _options.Timeouts.TokenRetransmit));

        Assert.Equal(2, answer.Seen);
        Assert.Empty(answer.Reports);
    }

    [Fact]
    public void The_token_loss_timer_membership_arms_expires_here_and_is_reported_with_the_batch_it_followed()
    {
        Batch(new SuspendRing());
        Batch(new StartTimer(SrpTimer.TokenLoss, _options.Timeouts.Token));

        Advance(TimeSpan.FromMilliseconds(_options.Timeouts.Token));

        var lost = _membership.FishForMessage<TokenHolderReports>(r => r.Reports.Any(x => x is TokenLostReport));
        Assert.Equal(2, lost.Seen);
    }

    [Fact]
    public void After_a_token_loss_it_drops_tokens_at_once_without_waiting_for_membership_to_suspend_the_ring()
    {
        Batch(new StartTimer(SrpTimer.TokenLoss, _options.Timeouts.Token));
        _holder.Tell(new MessageReceived(Token(BootRing, 1)));
        TheOneSentToken();

        Advance(TimeSpan.FromMilliseconds(_options.Timeouts.Token));
        var lost = _membership.FishForMessage<TokenHolderReports>(r => r.Reports.Any(x => x is TokenLostReport));
        // The suspension's answer, the position Membership writes into its next commit token, comes with the loss.
        Assert.Contains(lost.Reports, r => r is RingPositionReport);
        _holder.Tell(new MessageReceived(Token(BootRing, 2)));

        Assert.Empty(SentTokens());
    }

    [Fact]
    public void A_ring_of_one_it_is_handed_is_recovered_installed_synchronized_with_votequorum_and_reported()
    {
        var commit = new CommitToken(N(1), RingOfOne.RingId, 3, 1, new[] { new CommitMember(N(1), BootRing, 0, 0, true) }.ToValueList());
        var position = Batch(new SuspendRing()).Reports.OfType<RingPositionReport>().Single().Position;
        Batch(new EnterCommit(RingOfOne, commit, position));
        Batch(new InstallRing(RingOfOne, commit with { TokenSeq = 4 }, ReceivedFlg: true));

        // The representative's commit token came round a third time: the first ORF token goes round the ring of one
        // (its own token, handled as it sends it) until the recovery is done, all in answer to this batch.
        var answer = Batch(new OriginateToken());

        var installed = answer.Reports.OfType<InstalledReport>().Single();
        Assert.Equal(RingOfOne.RingId, installed.Ring.RingId);
        Assert.Equal([N(1)], installed.Members);
        var init = _quorum.FishForMessage<ServiceSyncInit>(_ => true);
        Assert.Equal(RingOfOne.RingId, init.Ring);
        Assert.Equal([N(1)], init.Members);
    }

    [Fact]
    public void A_batch_of_another_incarnation_is_dropped_unless_it_starts_one()
    {
        Batch(new SuspendRing());
        var restarted = new RingIncarnation();

        _membership.Send(_holder, new MembershipBatch(restarted, 7, [new SuspendRing()]));
        _membership.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _membership.Send(_holder, new MembershipBatch(restarted, 1, [new SuspendRing()]));

        Assert.Same(restarted, _membership.ExpectMsg<TokenHolderReports>().Incarnation);
    }

    [Fact]
    public void After_the_leave_it_ignores_the_network()
    {
        Batch(RingLeft.Instance);

        _holder.Tell(new MessageReceived(Token(BootRing, 1)));

        Assert.Empty(SentTokens());
    }

    [Fact]
    public void A_membership_message_or_one_without_a_sender_is_dropped_and_counted()
    {
        Batch(new SuspendRing());

        _holder.Tell(new MessageReceived(new JoinMessage(N(2), 4, new[] { N(2) }.ToValueList(), ValueList<NodeId>.Empty)));
        _holder.Tell(new MessageReceived(Token(BootRing, 1) with { Sender = default }));
        Batch();

        Assert.Equal("2", _board.Runtime(null).Single(e => e.Key == "runtime.totem.pg.mrp.srp.rx_msg_dropped").Value);
        Assert.Equal("0", _board.Runtime(null).Single(e => e.Key == "runtime.totem.pg.mrp.srp.orf_token_rx").Value);
    }

    [Fact]
    public void Submits_are_answered_and_expected_votes_go_to_votequorum_with_the_asker_as_sender()
    {
        Batch(new SuspendRing());

        _holder.Tell(new SubmitApplicationMessage([1, 2, 3]), TestActor);
        Assert.True(ExpectMsg<SubmitResult>().Accepted);

        _holder.Tell(new SetExpectedVotesCommand(2), TestActor);
        _quorum.FishForMessage<SetExpectedVotesCommand>(_ => true);
        Assert.Equal(TestActor, _quorum.LastSender);
    }

    [Fact]
    public void A_batch_is_queued_whole_or_refused_whole_and_answered_with_its_ticket()
    {
        Batch(new SuspendRing());
        var max = SrpOptions.DefaultMaxPendingMessages;
        ReadOnlyMemory<byte>[] Messages(int count, int size = 1) => Enumerable.Range(0, count).Select(_ => (ReadOnlyMemory<byte>)new byte[size]).ToArray();

        _holder.Tell(new SubmitApplicationBatch(1, Messages(max - 10)), TestActor);
        var first = ExpectMsg<ApplicationBatchSubmitted>();
        Assert.Equal(1, first.Ticket);
        Assert.True(first.Result.Accepted);
        Assert.Equal(0, first.Result.SubmissionIndex);

        // Eleven do not fit the ten places left: none of them goes in.
        _holder.Tell(new SubmitApplicationBatch(2, Messages(11)), TestActor);
        var full = ExpectMsg<ApplicationBatchSubmitted>();
        Assert.Equal(2, full.Ticket);
        Assert.Equal(SubmitRefusal.QueueFull, full.Result.Refusal);
        Assert.Contains($"{max - 10} of {max} messages wait", full.Result.Reason);
        Assert.Equal(max - 10, _board.Metrics().PendingMessages);

        // One message too large refuses its whole batch, the small ones with it.
        _holder.Tell(new SubmitApplicationBatch(3, [new byte[1], new byte[Totem.Protocol.Pg.PgLimits.MaxMessageBytes]]), TestActor);
        var large = ExpectMsg<ApplicationBatchSubmitted>();
        Assert.Equal(SubmitRefusal.TooLarge, large.Result.Refusal);
        Assert.Contains("message 1 of the batch", large.Result.Reason);
        Assert.Equal(max - 10, _board.Metrics().PendingMessages);

        _holder.Tell(new SubmitApplicationBatch(4, Messages(10)), TestActor);
        var last = ExpectMsg<ApplicationBatchSubmitted>();
        Assert.True(last.Result.Accepted);
        Assert.Equal(max - 10, last.Result.SubmissionIndex);
        Assert.Equal(max, _board.Metrics().PendingMessages);
        Assert.Equal(max, _board.SubmittedCount);
    }

    [Fact]
    public void The_send_queue_is_bounded_in_bytes_for_batches_and_single_submits()
    {
        Batch(new SuspendRing());
        var budget = SrpOptions.DefaultMaxPendingBytes;
        // The largest payload: with the service byte in front of it, one message of exactly PgLimits.MaxMessageBytes.
        var largest = Totem.Protocol.Pg.PgLimits.MaxMessageBytes - Totem.Nodes.Services.ServiceFrame.HeaderBytes;
        var fill = (int)(budget / Totem.Protocol.Pg.PgLimits.MaxMessageBytes);
        ReadOnlyMemory<byte>[] Large(int count) => Enumerable.Range(0, count).Select(_ => (ReadOnlyMemory<byte>)new byte[largest]).ToArray();

        // More bytes than the whole queue holds: too large, whatever is queued.
        _holder.Tell(new SubmitApplicationBatch(1, Large(fill + 1)), TestActor);
        var tooLarge = ExpectMsg<ApplicationBatchSubmitted>();
        Assert.Equal(SubmitRefusal.TooLarge, tooLarge.Result.Refusal);
        Assert.Contains($"larger than the send queue ({budget} bytes)", tooLarge.Result.Reason);

        // Exactly the budget fits, in few messages (far below the 2048-message bound).
        _holder.Tell(new SubmitApplicationBatch(2, Large(fill)), TestActor);
        Assert.True(ExpectMsg<ApplicationBatchSubmitted>().Result.Accepted);
        Assert.Equal(fill, _board.Metrics().PendingMessages);

        // One byte more is a full queue (TRY_AGAIN / 503), for a batch and for a single submit alike.
        _holder.Tell(new SubmitApplicationBatch(3, [new byte[1]]), TestActor);
        var full = ExpectMsg<ApplicationBatchSubmitted>();
        Assert.Equal(SubmitRefusal.QueueFull, full.Result.Refusal);
        Assert.Contains($"{budget} of {budget} bytes wait for the token", full.Result.Reason);
        _holder.Tell(new SubmitApplicationMessage(new byte[1]), TestActor);
        var single = ExpectMsg<SubmitResult>();
        Assert.Equal(SubmitRefusal.QueueFull, single.Refusal);
        Assert.Equal(fill, _board.Metrics().PendingMessages);
        Assert.Equal(fill, _board.SubmittedCount);
    }
}
