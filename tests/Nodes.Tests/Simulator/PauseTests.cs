using Totem.Nodes.Simulator;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>The simulator's process pause (SIGSTOP/SIGCONT) and the node's pause detection (corosync's pause_flush).</summary>
public sealed class PauseTests
{
    private const string PauseLine = "Process pause detected for ";
    private static readonly NodeId Paused = new(2);

    private static ClusterSimulation Ring(int seed)
    {
        var sim = new ClusterSimulation(seed, new SimulationOptions(3) { CaptureLogs = true });
        sim.StartAll();
        Assert.NotNull(sim.RunUntilOneRing(TimeSpan.FromSeconds(30)));
        return sim;
    }

    [Fact]
    public void A_node_paused_beyond_token_and_consensus_detects_it_flushes_and_rejoins()
    {
        var sim = Ring(11);
        var timeouts = sim.Options.Timeouts;
        var pause = TimeSpan.FromMilliseconds(timeouts.Token + timeouts.Consensus + 1000);
        var deliveredBefore = sim.Node(Paused).Board.DeliveredCount;
        sim.Submit(new NodeId(1));

        sim.Pause(Paused, pause);
        // Stopped: its actors handle nothing, not even what is delivered to it.
        Assert.NotNull(sim.RunUntilPolled(() => sim.Node(new NodeId(1)).Board.Status().Members.SequenceEqual([new NodeId(1), new NodeId(3)]), pause));
        Assert.True(sim.IsPaused(Paused));
        Assert.Equal(deliveredBefore, sim.Node(Paused).Board.DeliveredCount);

        Assert.NotNull(sim.RunUntilOneRing(TimeSpan.FromMilliseconds(timeouts.Token + timeouts.Consensus) + pause));
        Assert.False(sim.IsPaused(Paused));
        // Every join handled before the pause timer runs again is one more (as in corosync); the first tells the length.
        var lines = sim.Logs.Where(l => l.Node == Paused && l.Message.StartsWith(PauseLine, StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count > 0, string.Join("\n", sim.Logs));
        Assert.All(lines, l => Assert.Equal(lines[0].At, l.At)); // all at the instant it runs again
        var detected = lines[0];
        var ms = long.Parse(detected.Message[PauseLine.Length..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(ms, timeouts.Token / 2 + 1, (long)pause.TotalMilliseconds + timeouts.Token / 5);
        Assert.Equal("Information", detected.Level);
        Assert.Equal(lines.Count, sim.PausesDetected);
        Assert.DoesNotContain(sim.Logs, l => l.Node != Paused && l.Message.StartsWith(PauseLine, StringComparison.Ordinal));
        sim.RunFor(TimeSpan.FromSeconds(2));
        var violations = sim.CheckInvariants(livenessExpected: true);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void A_pause_shorter_than_half_a_token_is_not_a_pause_and_keeps_the_ring()
    {
        var sim = Ring(12);
        var ring = sim.Node(Paused).Board.Status().RingId;
        sim.Pause(Paused, TimeSpan.FromMilliseconds(sim.Options.Timeouts.Token / 2 - 100));
        sim.RunFor(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(sim.Logs, l => l.Message.StartsWith(PauseLine, StringComparison.Ordinal));
        Assert.Equal(0, sim.PausesDetected);
        Assert.True(sim.OneRingOfLiveNodes());
        Assert.Equal(ring, sim.Node(Paused).Board.Status().RingId);
    }

    [Fact]
    public void A_paused_node_can_be_killed_and_restarted()
    {
        var sim = Ring(13);
        sim.Pause(Paused, TimeSpan.FromSeconds(30));
        sim.RunFor(TimeSpan.FromSeconds(1));
        sim.Crash(Paused);
        Assert.False(sim.IsPaused(Paused));
        sim.Start(Paused);
        Assert.NotNull(sim.RunUntilOneRing(TimeSpan.FromSeconds(30)));
        Assert.Throws<InvalidOperationException>(() =>
        {
            sim.Pause(Paused, TimeSpan.FromSeconds(1));
            sim.Pause(Paused, TimeSpan.FromSeconds(1));
        });
    }
}
