using Totem.Protocol.Config;
using Totem.Protocol.Quorum;

namespace Totem.Protocol.Tests.Quorum;

public class FencingWatchdogTests
{
    private static readonly FencingSettings Exit10s = new(FencingMode.Exit, 10000);

    [Fact]
    public void Losing_quorum_arms_and_expiry_fences_with_the_exit_code()
    {
        var watchdog = new FencingWatchdog(Exit10s);
        Assert.Empty(watchdog.Handle(new QuorumObserved(true), 1000));

        var armed = watchdog.Handle(new QuorumObserved(false), 5000);
        Assert.Equal(new StartFencingTimer(10000, 15000), armed[0]);
        Assert.Equal("quorum lost, fencing in 10000 ms (at 15000 ms) unless quorum returns", Assert.IsType<FencingLog>(armed[1]).Render());
        Assert.Equal(new FencingStatus(FencingMode.Exit, 10000, true, true, 15000, false), watchdog.Status);

        Assert.Empty(watchdog.Handle(new QuorumObserved(false), 9000));
        // An early expiry (a real timer rounding) waits out the rest instead of fencing or being lost.
        Assert.Equal([new StartFencingTimer(1, 15000)], watchdog.Handle(new FencingTimerExpired(), 14999));

        var fenced = watchdog.Handle(new FencingTimerExpired(), 15000);
        Assert.Equal("quorum not regained within 10000 ms: fencing this node (exit code 75)", Assert.IsType<FencingLog>(fenced[0]).Render());
        Assert.Equal(new FenceNode(75, "quorum not regained within 10000 ms"), fenced[1]);
        Assert.Equal(75, FencingWatchdog.FencedExitCode);
        Assert.Equal(new FencingStatus(FencingMode.Exit, 10000, true, false, null, true), watchdog.Status);
        Assert.Empty(watchdog.Handle(new FencingTimerExpired(), 30000));
    }

    [Fact]
    public void Regaining_quorum_in_time_disarms()
    {
        var watchdog = new FencingWatchdog(Exit10s);
        watchdog.Handle(new QuorumObserved(true), 0);
        watchdog.Handle(new QuorumObserved(false), 2000);

        var disarmed = watchdog.Handle(new QuorumObserved(true), 11999);
        Assert.IsType<StopFencingTimer>(disarmed[0]);
        Assert.Equal("quorum regained, fencing disarmed", Assert.IsType<FencingLog>(disarmed[1]).Render());
        Assert.Empty(watchdog.Handle(new FencingTimerExpired(), 12000));
        Assert.False(watchdog.Status.Armed);

        var rearmed = watchdog.Handle(new QuorumObserved(false), 20000);
        Assert.Equal(new StartFencingTimer(10000, 30000), rearmed[0]);
    }

    [Fact]
    public void A_node_never_quorate_since_start_is_never_armed()
    {
        var watchdog = new FencingWatchdog(Exit10s);
        Assert.Empty(watchdog.Handle(new QuorumObserved(false), 0));
        Assert.Empty(watchdog.Handle(new QuorumObserved(false), 60000));
        Assert.Empty(watchdog.Handle(new FencingTimerExpired(), 120000));
        Assert.Equal(new FencingStatus(FencingMode.Exit, 10000, false, false, null, false), watchdog.Status);
    }

    [Fact]
    public void Mode_none_only_logs_that_it_would_fence()
    {
        var watchdog = new FencingWatchdog(new FencingSettings(FencingMode.None, 3000));
        watchdog.Handle(new QuorumObserved(true), 0);
        watchdog.Handle(new QuorumObserved(false), 100);

        var outputs = watchdog.Handle(new FencingTimerExpired(), 3100);

        var log = Assert.IsType<FencingLog>(Assert.Single(outputs));
        Assert.Equal("quorum not regained within 3000 ms: would fence this node, but fencing mode is none", log.Render());
        Assert.Empty(watchdog.Handle(new QuorumObserved(false), 4000));
        Assert.True(watchdog.Status.Fired);
    }

    [Fact]
    public void Quorum_views_of_the_calculator_drive_the_watchdog()
    {
        var cluster = QuorumCluster.Start(QuorumSettings.Default, 1, 2, 3);
        var watchdog = new FencingWatchdog(Exit10s);
        cluster.Drain(1);
        var fences = new List<FencingOutput>();
        void Feed() { foreach (var view in cluster.Drain(1).OfType<QuorumChanged>()) fences.AddRange(watchdog.Handle(new QuorumObserved(view.Quorate), cluster.Now)); }

        cluster.Form([1]);
        Feed();
        Assert.Empty(fences);

        cluster.Form([1, 2, 3]);
        Feed();
        cluster.Advance(500);
        cluster.Form([1], [2, 3]);
        Feed();
        Assert.Equal(new StartFencingTimer(10000, 10500), fences.OfType<StartFencingTimer>().Single());
    }

    [Fact]
    public void An_undefined_mode_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new FencingWatchdog(new FencingSettings((FencingMode)7, 1000)));
        Assert.Contains("fencing.mode 7", error.Message);
    }
}
