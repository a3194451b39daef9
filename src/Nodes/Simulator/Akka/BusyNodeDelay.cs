namespace Totem.Nodes.Simulator;

/// <summary>
/// How long a mailbox run of a busy node waits before it runs (<see cref="Simulation.BusyNodes"/>): the time a real
/// node's thread-pool work item waits for a core on a loaded 2-core machine (the swarm CI's five totemd containers
/// beside the build). Most work items find a core at once or after another thread's short slice: 80% wait 0-500 µs,
/// 15% wait 0.5-2 ms. Now and then the thread is preempted for a whole scheduler period of the busy machine (CFS
/// gives each of ~10 runnable threads a few ms of a 24 ms period), or a gen0 GC stops the process: 5% wait 10-50 ms.
/// </summary>
public static class BusyNodeDelay
{
    /// <summary>The longest wait drawn: what the timing checkers allow per mailbox run on a critical path.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMilliseconds(50);

    /// <summary>A wait in whole microseconds (0 means the run is ready at once, as without the mode).</summary>
    public static TimeSpan Draw(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var roll = random.NextDouble();
        var micros = roll switch
        {
            < 0.80 => random.Next(0, 500),
            < 0.95 => random.Next(500, 2000),
            _ => random.Next(10_000, (int)Max.TotalMicroseconds + 1),
        };
        return TimeSpan.FromMicroseconds(micros);
    }

    /// <summary>
    /// What a busy run adds to a membership change's bound for <paramref name="nodeCount"/> nodes: every mailbox run on
    /// its critical path may wait <see cref="Max"/>. The path (RandomScenarios.SettleBound's terms): up to three verdicts
    /// in a row, each a consensus timer's expiry handled by Membership (1 run) and its join put on the wire by
    /// UdpAdapter (1) and handled by the peer's Membership (1): 9 runs; the merge, a foreign message or merge detect
    /// handled and answered with a join (3 runs), and the join period's join (3); then the commit token's two rotations,
    /// each hop handled by Membership (1), told to TokenHolder and answered by its ring position (2: the handshake of
    /// Handshake.cs) and sent by UdpAdapter (1): 8 runs per node; and RECOVERY, whose regular token goes round at most
    /// three times (the old rings' messages re-sent, their aru reached, the ring installed), 2 runs per hop: 6 per node.
    /// </summary>
    public static TimeSpan SettleAllowance(int nodeCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeCount, 1);
        var runs = 9 + 3 + 3 + (8 * nodeCount) + (6 * nodeCount);
        return Max * runs;
    }
}
