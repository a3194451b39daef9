using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Srp;

/// <summary>corosync's process-pause detection (totemsrp.c pause_flush): the detector alone, then in Membership's engine.</summary>
public class PauseDetectionTests
{
    private static readonly NodeId Me = new(1);

    [Fact]
    public void Ticks_every_fifth_of_the_token_and_a_pause_is_a_stall_of_more_than_half_of_it()
    {
        var detector = new PauseDetector(3000, nowMs: 1000);
        Assert.Equal((600u, 1500u), (detector.TickIntervalMs, detector.ThresholdMs));
        Assert.Null(detector.PausedFor(2500)); // exactly half: not yet (corosync compares with >)
        Assert.Equal(1501, detector.PausedFor(2501));
        Assert.Equal(1502, detector.PausedFor(2502)); // every join until the timer runs again, as corosync
        Assert.Null(detector.Tick(2502)); // the joins reported this pause
        Assert.Null(detector.PausedFor(3900));
        Assert.Equal(1698, detector.PausedFor(4200));
        // A tick that is handled late (its expiry queued behind others) never moves the record back.
        Assert.Null(detector.Tick(4200));
        Assert.Null(detector.Tick(2000));
        Assert.Null(detector.PausedFor(5700));
    }

    [Fact]
    public void A_late_pause_timer_reports_a_pause_no_join_reported()
    {
        var detector = new PauseDetector(3000, nowMs: 0);
        Assert.Null(detector.Tick(600));
        Assert.Equal(9400, detector.Tick(10_000)); // SIGCONT: the timer thread won the race with the socket
        Assert.Null(detector.PausedFor(10_001)); // the joins queued during it are not reported again
        Assert.Null(detector.Tick(10_600));
    }

    [Fact]
    public void A_zero_token_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PauseDetector(0, 0));
        Assert.Contains("token timeout", error.Message);
    }

    private static MembershipEngine Started(out IReadOnlyList<SrpOutput> start)
    {
        var engine = new MembershipEngine(new SrpOptions(Me, CorosyncDefaults.For(3)));
        start = engine.Start(0);
        return engine;
    }

    private static JoinMessage JoinFrom(uint peer) => new(new NodeId(peer), 1, new[] { Me, new NodeId(peer) }.ToValueList(), ValueList<NodeId>.Empty);

    [Fact]
    public void The_engine_arms_its_pause_timer_at_boot_and_after_each_tick()
    {
        var engine = Started(out var start);
        var token = CorosyncDefaults.For(3).Token;
        Assert.Contains(new StartTimer(SrpTimer.Pause, token / 5), start);
        var tick = engine.Handle(new TimerExpired(SrpTimer.Pause), token / 5);
        Assert.Equal([new StartTimer(SrpTimer.Pause, token / 5)], tick);
    }

    [Fact]
    public void A_join_handled_after_a_stall_is_flushed_with_corosyncs_line_and_not_processed()
    {
        var engine = Started(out _);
        var token = CorosyncDefaults.For(3).Token;
        engine.Handle(new TimerExpired(SrpTimer.Pause), 600);

        var late = engine.Handle(new MessageReceived(JoinFrom(2)), 600 + token / 2 + 1);

        var log = Assert.Single(late.OfType<SrpLog>());
        Assert.Equal((SrpLogLevel.Notice, "Process pause detected for {PauseMs} ms, flushing membership messages."), (log.Level, log.Template));
        Assert.Equal([(object?)(long)(token / 2 + 1)], log.Args);
        Assert.Equal(new FlushMembershipMessages(token / 2 + 1), Assert.Single(late.OfType<FlushMembershipMessages>()));
        Assert.Equal([Me], engine.ProcSet); // the join taught nothing
        Assert.Equal(1ul, engine.Counters.RxMsgDropped);
    }

    [Fact]
    public void Once_the_pause_timer_ran_again_the_next_join_is_processed()
    {
        var engine = Started(out _);
        var token = CorosyncDefaults.For(3).Token;
        var at = (long)token;
        engine.Handle(new MessageReceived(JoinFrom(2)), at); // stalled since boot: flushed
        engine.Handle(new TimerExpired(SrpTimer.Pause), at + 1);

        var fresh = engine.Handle(new MessageReceived(JoinFrom(2)), at + 2);

        Assert.Empty(fresh.OfType<FlushMembershipMessages>());
        Assert.Equal([Me, new NodeId(2)], engine.ProcSet.OrderBy(n => n));
    }

    [Fact]
    public void A_late_pause_timer_logs_and_flushes_and_the_next_join_is_processed()
    {
        var engine = Started(out _);
        var token = CorosyncDefaults.For(3).Token;
        var late = engine.Handle(new TimerExpired(SrpTimer.Pause), 10_000);
        Assert.Equal("Process pause detected for {PauseMs} ms, flushing membership messages.", Assert.Single(late.OfType<SrpLog>()).Template);
        Assert.Equal(new FlushMembershipMessages(10_000), Assert.Single(late.OfType<FlushMembershipMessages>()));
        Assert.Contains(new StartTimer(SrpTimer.Pause, token / 5), late);
        engine.Handle(new MessageReceived(JoinFrom(2)), 10_001);
        Assert.Equal(2, engine.ProcSet.Count);
    }

    [Fact]
    public void A_join_within_half_a_token_of_the_last_tick_is_processed()
    {
        var engine = Started(out _);
        var token = CorosyncDefaults.For(3).Token;
        var outputs = engine.Handle(new MessageReceived(JoinFrom(2)), token / 2);
        Assert.Empty(outputs.OfType<FlushMembershipMessages>());
        Assert.Equal(2, engine.ProcSet.Count);
    }
}
