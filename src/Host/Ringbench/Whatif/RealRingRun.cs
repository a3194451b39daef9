using System.Diagnostics;
using Totem.Host.Ringbench.LocalRing;
using Totem.Nodes.Simulator.Whatif;

namespace Totem.Host.Ringbench.Whatif;

/// <summary>What a real ring did on a profile's faults: stalls injected, events counted from the logs, nodes that exited (fenced).</summary>
public sealed record RealRingOutcome(TimeSpan Duration, int Stalls, RingLogEvents.Counts Events, int Exited, TimeSpan WorstStallLateness);

/// <summary>
/// A ring of real totemd processes (<see cref="LocalRing.LocalRing"/>, the one way a bench starts nodes) on a profile's
/// faults for a while: forms the ring, sets every node's <see cref="ProfileFaults.Links"/> through its control API, waits
/// for the ring to stand again, then replays the stall schedule the simulator draws for the same seed
/// (<see cref="WhatifRun.StallSchedule"/>) as SIGSTOP/SIGCONT, and counts from the nodes' logs what happened in the window.
/// </summary>
public static class RealRingRun
{
    // Five JIT-started totemd processes need more than a minute to answer at a load average of 80 on 2 cores (seen).
    private static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(180);

    public static async Task<RealRingOutcome> RunAsync(LocalRing.LocalRing ring, ProfileFaults faults, TimeSpan duration, int seed, TextWriter progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(faults);
        var nodes = ring.NodeIds.ToArray();
        ring.StartAll();
        await ring.WaitForRingAsync(nodes, quorate: true, FormTimeout).ConfigureAwait(false);
        if (!faults.Links.IsNone)
            foreach (var n in nodes)
                await ring.Client(n).SetFaultAsync(faults.Request, ct).ConfigureAwait(false);
        await ring.WaitForRingAsync(nodes, quorate: true, FormTimeout).ConfigureAwait(false);

        var windowStart = nodes.Select(n => ring.Process(n).Lines().Count).ToArray();
        var schedule = WhatifRun.StallSchedule(faults.Stalls, duration, nodes.Length, seed);
        await progress.WriteLineAsync($"real ring formed ({ring.RunDirectory}); {schedule.Count} stall(s) to inject over {duration.TotalMinutes:0.#} min").ConfigureAwait(false);

        var stopped = new HashSet<int>();
        var thaws = new List<Task>();
        var injected = 0;
        var worstLate = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        foreach (var (at, stallNodes, length) in schedule)
        {
            var wait = at - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);
            var late = clock.Elapsed - at;
            if (late > worstLate) worstLate = late;
            foreach (var id in stallNodes.Select(s => (int)s.Value))
            {
                var process = ring.Process(id);
                lock (stopped)
                {
                    // As the simulator: a node already frozen (or gone) is not frozen again.
                    if (process.HasExited || !stopped.Add(id)) continue;
                }
                process.Signal(TotemdProcess.SigStop);
                injected++;
                thaws.Add(ThawAsync(process, id, length, stopped));
            }
        }
        var rest = duration - clock.Elapsed;
        if (rest > TimeSpan.Zero) await Task.Delay(rest, ct).ConfigureAwait(false);
        var lines = nodes.Select(n => (IReadOnlyList<string>)ring.Process(n).Lines()).ToArray();
        var exited = nodes.Count(n => ring.Process(n).HasExited);
        await Task.WhenAll(thaws).ConfigureAwait(false);
        return new RealRingOutcome(clock.Elapsed < duration ? clock.Elapsed : duration, injected, RingLogEvents.Count(lines, windowStart), exited, worstLate);
    }

    private static async Task ThawAsync(TotemdProcess process, int id, TimeSpan length, HashSet<int> stopped)
    {
        // Not cancellable: a frozen node is always thawed, whatever stops the run.
        await Task.Delay(length, CancellationToken.None).ConfigureAwait(false);
        if (!process.HasExited) process.Signal(TotemdProcess.SigCont);
        lock (stopped) stopped.Remove(id);
    }
}
