using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator.Scenarios;

/// <summary>
/// The seeded random scenarios: a seed picks the cluster size, the network's faults, the workload and a
/// script of crashes, restarts, leaves and partitions; the run is then judged by the invariant checker
/// (and, for <see cref="ScenarioKind.PartitionSafety"/>, by the <see cref="QuorumSafetyMonitor"/>). The same
/// seed replays the same run exactly.
/// </summary>
public static class RandomScenarios
{
    /// <summary>
    /// What follows the last consensus expiry before one ring stands: a merge of rings formed on either side of it
    /// (a foreign message or merge detect, 200 ms), a join period (50 ms), and the commit token's two rotations and
    /// recovery (a few one-way delays each). Part of <see cref="SettleBound"/>, and the slack of the delivery check
    /// after the ring formed.
    /// </summary>
    public static readonly TimeSpan SettleSlack = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The time after the last change (crash, restart, leave, partition, heal, end of datagram loss) within which one
    /// ring of every live node must form: effective token + consensus when every live node was OPERATIONAL on one ring
    /// at the change, three consensus timeouts (or token + 2 x consensus, whichever is longer) when it was not; one
    /// token timeout more when a COMMIT or RECOVERY was under way; plus <see cref="SettleSlack"/>. Each term is a rule
    /// of corosync's exec/totemsrp.c.
    /// <para>
    /// One ring, all OPERATIONAL (corosync's failover, what TimingFidelityTests measures): the ring loses its token
    /// within one token timeout of its last rotation (timer_function_orf_token_timeout); its members, all of one old
    /// ring, take each other's failed lists over (memb_join_process merges a failed list from a member of my_memb_list),
    /// so the gather fails the dead at its one consensus timeout (memb_state_consensus_timeout_expired).
    /// </para>
    /// <para>
    /// A change that lands in another one (a gather, COMMIT or RECOVERY under way, or live nodes on rings that formed
    /// apart, as before a heal or after a restart) can take three consensus timeouts, each link a rule of corosync's, none of them ours (issue 10,
    /// notes/issue-10-latering.md traces eight such seeds):
    /// (1) the gather under way expires within one consensus timeout of the change (its timer was running; a gather
    /// the change starts expires one timeout after it). memb_state_consensus_timeout_expired fails every processor
    /// not in the consensus set: the silent, and live processors of another old ring whose failed set differs, which
    /// cannot agree because memb_join_process adopts a failed list only from a member of the receiver's old ring.
    /// (2) A processor of another old ring that this verdict did not fail but cannot adopt (the verdict names a
    /// processor it knows; typically one that left or crashed while it was partitioned or down) reaches the same
    /// verdict only at its own next expiry, one consensus timeout later.
    /// (3) A live processor named failed at (1) or (2) fails the sender for the rest of its gather (memb_join_process:
    /// my id in its failed list) and restarts its consensus timer on it (memb_state_gather_enter), so its own verdicts,
    /// on the departed processors it could not adopt either, come one consensus timeout after the last verdict naming
    /// it; it forms its ring and the rings merge (the slack). Its verdict starts no fourth link: it names the silent
    /// and the processors that named it, and those installed their ring at their own expiry (1) or (2), when their
    /// group agreed; OPERATIONAL ignores a join naming the receiver failed.
    /// A processor that crashed after agreeing is counted until memb_consensus_reset: if the last agreement comes
    /// before the expiry of (1), the commit token goes to the dead processor and is lost ("The token was lost in the
    /// COMMIT state"), and a new consensus timeout fails it: token + 2 x consensus. The bound is the longer of the two
    /// chains; with corosync's default consensus (1.2 x token, totemconfig.c) that is the three consensus timeouts.
    /// </para>
    /// <para>
    /// A COMMIT or RECOVERY under way at the change may be doomed by it (its commit token's next hop crashed, or a
    /// member moved on and discards it): corosync waits out a whole token timeout in that state before it gathers
    /// again (see ScenarioRun.MarkLastFault).
    /// </para>
    /// </summary>
    /// <param name="busyAllowance">With busy nodes, what their waiting mailbox runs may add (<see cref="BusyNodeDelay.SettleAllowance"/>); zero otherwise.</param>
    public static TimeSpan SettleBound(TotemTimeouts timeouts, bool oneRingAtLastChange, bool commitUnderWay, TimeSpan busyAllowance = default)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        ArgumentOutOfRangeException.ThrowIfLessThan(busyAllowance, TimeSpan.Zero);
        var rounds = oneRingAtLastChange
            ? timeouts.Token + timeouts.Consensus
            : 2 * timeouts.Consensus + Math.Max(timeouts.Consensus, timeouts.Token);
        var commit = commitUnderWay ? timeouts.Token : 0;
        return TimeSpan.FromMilliseconds(rounds + commit) + SettleSlack + busyAllowance;
    }

    /// <summary>How <see cref="SettleBound"/> was composed, for a liveness violation's text.</summary>
    public static string DescribeSettleBound(bool oneRingAtLastChange, bool commitUnderWay, TimeSpan busyAllowance = default) =>
        (oneRingAtLastChange ? "effective token + consensus" : "2 x consensus + max(consensus, effective token) (a change landed in another one or joined rings formed apart)") +
        (commitUnderWay ? " + token (a COMMIT or RECOVERY was under way)" : "") +
        $" + {SettleSlack.TotalMilliseconds:F0} ms" +
        (busyAllowance > TimeSpan.Zero ? $" + {busyAllowance.TotalMilliseconds:F0} ms for busy nodes' mailbox runs" : "");

    /// <summary>The classes `soak --scenario all` runs (and CI with it); a new class joins once 2,000 fresh seeds of it passed (pauses: 3000000..3001999).</summary>
    public static IReadOnlyList<ScenarioKind> Soaked { get; } = [ScenarioKind.Traffic, ScenarioKind.Crashes, ScenarioKind.PartitionSafety, ScenarioKind.Pauses];

    /// <summary>A run that processes more events than this is taken to be livelocked (events piling up at one instant).</summary>
    public static long EventBudget { get; set; } = 300_000;

    /// <param name="captureLogs">Capture the nodes' log lines (at <paramref name="captureLevel"/> and above) for the report.</param>
    /// <param name="traceMembership">Also log every membership message put on the wire.</param>
    public static ScenarioOutcome Run(ScenarioKind kind, int seed, bool captureLogs = false,
        Serilog.Events.LogEventLevel captureLevel = Serilog.Events.LogEventLevel.Information, bool traceMembership = false, bool interleave = false,
        bool busy = false) =>
        new ScenarioRun(kind, seed, captureLogs, captureLevel, traceMembership, interleave, busy).Execute();

    /// <summary>The scenario's name on the command line ("traffic", "crashes", "partition-safety").</summary>
    public static string NameOf(ScenarioKind kind) => kind switch
    {
        ScenarioKind.Traffic => "traffic",
        ScenarioKind.Crashes => "crashes",
        ScenarioKind.PartitionSafety => "partition-safety",
        ScenarioKind.Pauses => "pauses",
        ScenarioKind.Starts => "starts",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Every class's name on the command line, for error texts: "traffic, crashes, ... or starts" (with orAll, "... starts or all").</summary>
    public static string NameList(bool orAll = false)
    {
        var names = Enum.GetValues<ScenarioKind>().Select(NameOf).ToList();
        if (orAll) names.Add("all");
        return string.Join(", ", names.SkipLast(1)) + " or " + names[^1];
    }

    public static bool TryParse(string name, out ScenarioKind kind)
    {
        foreach (var candidate in Enum.GetValues<ScenarioKind>())
        {
            if (string.Equals(NameOf(candidate), name, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(candidate.ToString(), name, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }
}

/// <summary>One execution of a random scenario; all decisions come from a Random seeded by the scenario's seed.</summary>
internal sealed class ScenarioRun
{
    private readonly ScenarioKind _kind;
    private readonly int _seed;
    private readonly Random _random;
    /// <summary>The workload's sizes and bursts, apart from <see cref="_random"/> so that they do not shift the script.</summary>
    private readonly Random _sizes;
    private readonly ClusterSimulation _sim;
    private readonly List<string> _script = new();
    private readonly List<string> _violations = new();
    private QuorumSafetyMonitor? _monitor;
    private TimeSpan _trafficUntil;
    private TimeSpan _lastFault;
    private bool _commitUnderWayAtLastFault;
    private bool _oneRingAtLastFault = true;
    private int _submitted, _crashes, _restarts, _leaves, _partitions, _heals, _pauses;
    private TimeSpan _pausedUntil;
    private TimeSpan? _settle;
    private readonly HashSet<NodeId> _started = new();

    public ScenarioRun(ScenarioKind kind, int seed, bool captureLogs, Serilog.Events.LogEventLevel captureLevel, bool traceMembership, bool interleave, bool busy)
    {
        _kind = kind;
        _seed = seed;
        // The scenario's own decisions use their own stream, so the script does not shift with the network's draws.
        _random = new Random(unchecked(seed * 7919 + (int)kind));
        _sizes = new Random(unchecked(seed * 104_729 + (int)kind));
        _sim = new ClusterSimulation(seed, OptionsFor(kind, captureLogs) with
        {
            CaptureLevel = captureLevel, TraceMembership = traceMembership, InterleaveSameInstant = interleave,
            BusyNodes = busy,
        });
    }

    private SimulationOptions OptionsFor(ScenarioKind kind, bool captureLogs)
    {
        switch (kind)
        {
            case ScenarioKind.Traffic:
                return new SimulationOptions(_random.Next(3, 6)) { CaptureLogs = captureLogs };
            case ScenarioKind.Crashes or ScenarioKind.Pauses or ScenarioKind.Starts:
                return new SimulationOptions(_random.Next(3, 6)) { CaptureLogs = captureLogs, Totem = ShortTimeouts };
            default:
                var count = _random.Next(3, 7);
                var votes = new Dictionary<NodeId, uint>();
                if (_random.NextDouble() < 0.25) votes[new NodeId((uint)_random.Next(1, count + 1))] = 2;
                var quorum = count % 2 == 0 && _random.NextDouble() < 0.5
                    ? QuorumSettings.Default with { AutoTieBreaker = _random.NextDouble() < 0.5 ? AutoTieBreakerMode.Lowest : AutoTieBreakerMode.Highest }
                    : QuorumSettings.Default;
                return new SimulationOptions(count)
                {
                    CaptureLogs = captureLogs,
                    Totem = ShortTimeouts,
                    Votes = votes,
                    Quorum = quorum,
                    Fencing = new FencingSettings(FencingMode.Exit, (uint)_random.Next(1000, 6000)),
                    BootDelay = TimeSpan.FromMilliseconds(_random.Next(500, 3000)),
                };
        }
    }

    /// <summary>
    /// The membership scenarios run a shorter token (1000 ms, coefficient 200 ms; everything else derived as corosync
    /// does) so that a seed costs fewer virtual seconds of idle token rotation: the protocol's decisions are the same,
    /// only scaled. The default timings are what FailoverTiming and the quorum scenarios exercise.
    /// </summary>
    private static readonly TotemSettings ShortTimeouts = new() { Token = 1000, TokenCoefficient = 200 };

    private TotemTimeouts Timeouts => _sim.Options.Timeouts;
    private TimeSpan TokenPlusConsensus => TimeSpan.FromMilliseconds(Timeouts.Token + Timeouts.Consensus);

    /// <summary>What busy nodes may add to a membership change or a token's rounds (zero without them).</summary>
    private TimeSpan BusyAllowance => _sim.Options.BusyNodes ? BusyNodeDelay.SettleAllowance(_sim.Options.NodeCount) : TimeSpan.Zero;

    public ScenarioOutcome Execute()
    {
        try
        {
            Describe($"{_sim.Options.NodeCount} nodes, token {Timeouts.Token} ms, consensus {Timeouts.Consensus} ms" +
                     (_sim.Options.Votes.Count > 0 ? $", votes {string.Join(" ", _sim.Options.Votes.Select(v => $"{v.Key}:{v.Value}"))}" : "") +
                     (_sim.Options.Quorum.AutoTieBreaker != AutoTieBreakerMode.Off ? $", auto_tie_breaker {_sim.Options.Quorum.AutoTieBreaker}" : "") +
                     (_sim.Options.Fencing.Mode == FencingMode.Exit ? $", fencing exit after {_sim.Options.Fencing.TimeoutMs} ms, boot delay {_sim.Options.BootDelay.TotalMilliseconds} ms" : ""));
            // The starts class brings its nodes up itself, into each other's membership changes.
            if (_kind != ScenarioKind.Starts) _sim.StartAll();
            switch (_kind)
            {
                case ScenarioKind.Traffic: Traffic(); break;
                case ScenarioKind.Crashes: Crashes(); break;
                case ScenarioKind.PartitionSafety: PartitionSafety(); break;
                case ScenarioKind.Pauses: Pauses(); break;
                case ScenarioKind.Starts: Starts(); break;
            }
            _violations.AddRange(_sim.CheckInvariants(livenessExpected: _kind != ScenarioKind.PartitionSafety));
        }
        catch (LivelockException livelock)
        {
            _violations.Add(livelock.Message);
        }
        catch (Exception error)
        {
            // A throw out of the simulation is a bug like any violation: report it with the seed instead of ending the soak.
            _violations.Add($"the simulation threw {string.Join("\n    ", error.ToString().Split('\n').Take(8))}");
        }
        if (_monitor is not null) _violations.AddRange(_monitor.Violations);
        var network = _sim.Network;
        return new ScenarioOutcome(_kind, _seed, _sim.Options.NodeCount, _violations, _script, _sim.Logs.ToList(),
            new ScenarioStats(_sim.Now, _sim.Simulation.EventsProcessed, _submitted, _crashes, _restarts, _leaves, _partitions, _heals,
                _sim.Fences.Count, network.DatagramsLost, network.DatagramsDuplicated, network.DatagramsBlockedByPartition, _settle,
                _monitor?.CheckPoints ?? 0) { Pauses = _pauses, PausesDetected = _sim.PausesDetected })
        {
            TraceHash = _sim.TraceHash, Interleaved = _sim.Options.InterleaveSameInstant, Busy = _sim.Options.BusyNodes,
        };
    }

    // ---- (a) fixed membership under a lossy, duplicating, reordering network ----

    private void Traffic()
    {
        var loss = _random.NextDouble() * 0.08;
        var duplication = _random.NextDouble() * 0.05;
        var delay = TimeSpan.FromMicroseconds(_random.Next(0, 1500));
        var jitter = TimeSpan.FromMicroseconds(_random.Next(0, 4000));
        _sim.Network.SetDefaultConditions(new LinkConditions(loss, duplication, delay, jitter));
        Describe($"network: loss {loss:P1}, duplication {duplication:P1}, delay {delay.TotalMilliseconds:F1} ms, jitter {jitter.TotalMilliseconds:F1} ms");
        var nodes = _sim.NodeIds.ToList();
        for (var i = _random.Next(0, 3); i > 0; i--)
        {
            var from = nodes[_random.Next(nodes.Count)];
            var to = nodes[_random.Next(nodes.Count)];
            if (from == to) continue;
            var bad = new LinkConditions(0.1 + _random.NextDouble() * 0.15, duplication, delay, jitter + TimeSpan.FromMilliseconds(2));
            _sim.Network.SetLinkConditions(from, to, bad);
            Describe($"link {from}->{to}: loss {bad.LossProbability:P1}, jitter {bad.Jitter.TotalMilliseconds:F1} ms");
        }

        var trafficFor = TimeSpan.FromMilliseconds(_random.Next(1000, 2000));
        StartTraffic(trafficFor, minGapMs: 8, maxGapMs: 40);
        Run(trafficFor);
        MarkLastFault();
        _sim.Network.SetDefaultConditions(LinkConditions.Perfect);
        _sim.Network.ClearLinkConditions();
        Describe("faults stop");
        Settle();
    }

    // ---- (b) crashes, restarts, leaves, partitions ----

    private void Crashes()
    {
        var loss = _random.NextDouble() < 0.5 ? 0 : _random.NextDouble() * 0.02;
        var delay = TimeSpan.FromMicroseconds(_random.Next(0, 1000));
        var jitter = TimeSpan.FromMicroseconds(_random.Next(0, 2000));
        _sim.Network.SetDefaultConditions(new LinkConditions(loss, 0, delay, jitter));
        Describe($"network: loss {loss:P1}, delay {delay.TotalMilliseconds:F1} ms, jitter {jitter.TotalMilliseconds:F1} ms");

        var faults = _random.Next(2, 7);
        var longest = TokenPlusConsensus * 1.5;
        var scriptLength = TimeSpan.Zero;
        var gaps = new List<TimeSpan>();
        for (var i = 0; i < faults; i++)
        {
            // Short gaps land in the middle of a membership change, long ones let it finish.
            var gap = _random.NextDouble() < 0.4
                ? TimeSpan.FromMilliseconds(_random.Next(1, 1500))
                : TimeSpan.FromMilliseconds(_random.Next(1500, (int)longest.TotalMilliseconds));
            gaps.Add(gap);
            scriptLength += gap;
        }
        StartTraffic(scriptLength + TimeSpan.FromSeconds(1), minGapMs: 300, maxGapMs: 1200);
        foreach (var gap in gaps)
        {
            Run(gap);
            RandomFault(allowFencing: false);
        }
        Run(TimeSpan.FromMilliseconds(_random.Next(0, 1000)));
        // The liveness bound runs from the last change that can keep one ring from forming. A partition lasts
        // until its heal: no ring of all live nodes can form across it. Datagram loss lasts until the network
        // turns perfect: a lost commit token costs a token timeout in COMMIT each time (corosync's "The token
        // was lost in the COMMIT state"), so no bound holds while loss goes on.
        if (_sim.Network.KnownNodes.Any(a => _sim.Network.KnownNodes.Any(b => !_sim.Network.CanReach(a, b))))
        {
            Heal();
            MarkLastFault();
        }
        if (loss > 0) MarkLastFault();
        _sim.Network.SetDefaultConditions(LinkConditions.Perfect);
        Describe("faults stop");
        Settle();
    }

    // ---- (c) process pauses ----

    /// <summary>
    /// Pauses of random nodes: below token / 2 (nothing to detect), between token / 2 and the effective token (the
    /// ring survives, the node may detect its pause on the next join) and beyond token + consensus (the others form a
    /// ring without it; it comes back to joins, tokens and timers that piled up, flushes the joins and rejoins).
    /// </summary>
    private void Pauses()
    {
        var delay = TimeSpan.FromMicroseconds(_random.Next(0, 1000));
        var jitter = TimeSpan.FromMicroseconds(_random.Next(0, 2000));
        _sim.Network.SetDefaultConditions(new LinkConditions(0, 0, delay, jitter));
        Describe($"network: delay {delay.TotalMilliseconds:F1} ms, jitter {jitter.TotalMilliseconds:F1} ms");
        var faults = _random.Next(2, 6);
        var gaps = Enumerable.Range(0, faults)
            .Select(_ => TimeSpan.FromMilliseconds(_random.NextDouble() < 0.4 ? _random.Next(1, 1000) : _random.Next(1000, (int)(TokenPlusConsensus.TotalMilliseconds * 1.5))))
            .ToList();
        StartTraffic(gaps.Aggregate(TimeSpan.Zero, (a, b) => a + b) + TimeSpan.FromSeconds(1), minGapMs: 100, maxGapMs: 600);
        foreach (var gap in gaps)
        {
            Run(gap);
            RandomPauseFault();
        }
        if (_pausedUntil > _sim.Now) Run(_pausedUntil - _sim.Now);
        // A pause lasts until the node runs again: that is its end as a fault.
        if (_pausedUntil > _lastFault) MarkLastFault();
        Describe("faults stop");
        Settle();
    }

    // ---- (d) starts in another merge's COMMIT window ----

    /// <summary>
    /// Nodes that start or restart while the others are in COMMIT (issue 11, point 5): totemsrp's members in COMMIT
    /// ignore such a node's joins, and the ring then waits a whole token timeout in COMMIT; ours must not. One or two
    /// nodes start at once; the others start in pairs, the first of a pair after a random gap (its join sets off a
    /// merge) and the second a few milliseconds into the COMMIT that merge reaches. Then crashes, each restarted
    /// in the COMMIT of the survivors' new ring or, now and then, as the first of a pair again. The bound after the
    /// last start gives no token timeout for a COMMIT under way: a start there must cost none.
    /// </summary>
    private void Starts()
    {
        var delay = TimeSpan.FromMicroseconds(_random.Next(0, 1000));
        var jitter = TimeSpan.FromMicroseconds(_random.Next(0, 2000));
        _sim.Network.SetDefaultConditions(new LinkConditions(0, 0, delay, jitter));
        Describe($"network: delay {delay.TotalMilliseconds:F1} ms, jitter {jitter.TotalMilliseconds:F1} ms");
        var waiting = new Queue<NodeId>(_sim.NodeIds.OrderBy(n => n));
        for (var first = _random.Next(1, 3); first > 0; first--) StartNode(waiting.Dequeue());
        StartTraffic(TimeSpan.FromSeconds(6), minGapMs: 100, maxGapMs: 600);
        while (waiting.Count > 0)
        {
            Run(TimeSpan.FromMilliseconds(_random.Next(1, 1500)));
            StartNode(waiting.Dequeue());
            if (waiting.Count > 0 && _random.NextDouble() < 0.8) StartInTheNextCommit(waiting.Dequeue());
        }
        for (var crashes = _random.Next(1, 4); crashes > 0; crashes--)
        {
            Run(TimeSpan.FromMilliseconds(_random.Next(200, 2500)));
            var running = _sim.LiveNodes.OrderBy(n => n).ToList();
            if (running.Count < 2) break;
            var victim = running[_random.Next(running.Count)];
            MarkLastFault();
            Crash(victim);
            if (_random.NextDouble() < 0.7)
            {
                // The survivors lose the token, gather without the victim and commit: it comes back into that COMMIT.
                StartInTheNextCommit(victim);
                continue;
            }
            Run(TimeSpan.FromMilliseconds(_random.Next(1, 3000)));
            StartNode(victim);
            var down = _sim.NodeIds.Where(n => !_sim.IsUp(n)).OrderBy(n => n).ToList();
            if (down.Count > 0) StartInTheNextCommit(down[_random.Next(down.Count)]);
        }
        Describe("faults stop");
        Settle();
    }

    /// <summary>Starts a node (a first start, or a restart after a crash) and counts it as the latest change.</summary>
    private void StartNode(NodeId id)
    {
        MarkLastFault();
        if (_sim.IsUp(id)) return;
        if (!_started.Add(id)) Restart(id);
        else
        {
            Describe($"start node {id}");
            _sim.Start(id);
        }
        // The claim under test: a start that lands in COMMIT costs no token timeout and no consensus round beyond
        // one (the starting node has no verdict to reach that its peers made without it), so the bound is the
        // single ring's effective token + consensus whatever the others were doing.
        _commitUnderWayAtLastFault = false;
        _oneRingAtLastFault = true;
    }

    // A COMMIT lasts two rotations of the commit token, a few one-way delays of at most 3 ms here.
    private static readonly TimeSpan CommitPoll = TimeSpan.FromMicroseconds(100);

    /// <summary>Runs until some node enters COMMIT and starts the node 0-1.5 ms into it; starts it anyway if none does.</summary>
    private void StartInTheNextCommit(NodeId id)
    {
        var deadline = _sim.Now + TokenPlusConsensus * 2;
        var inCommit = false;
        while (_sim.Now < deadline && !(inCommit = _sim.LiveNodes.Any(n => _sim.Node(n).Board.State == Totem.Protocol.Srp.SrpState.Commit)))
            Run(CommitPoll);
        if (inCommit)
        {
            var into = TimeSpan.FromMicroseconds(_random.Next(0, 1500));
            Describe($"a node entered COMMIT; node {id} starts {into.TotalMilliseconds:F1} ms into it");
            Run(into);
        }
        StartNode(id);
    }

    private void RandomPauseFault()
    {
        var running = _sim.LiveNodes.Where(n => !_sim.Leaving.Contains(n) && !_sim.IsPaused(n)).OrderBy(n => n).ToList();
        var down = _sim.NodeIds.Where(n => !_sim.IsUp(n) && !_sim.Leaving.Contains(n)).OrderBy(n => n).ToList();
        var roll = _random.NextDouble();
        if (down.Count > 0 && roll < 0.15)
        {
            MarkLastFault();
            Restart(down[_random.Next(down.Count)]);
        }
        else if (running.Count > 1 && roll < 0.25)
        {
            MarkLastFault();
            Crash(running[_random.Next(running.Count)]);
        }
        else if (running.Count > 0)
        {
            MarkLastFault();
            var token = (int)Timeouts.Token;
            var length = TimeSpan.FromMilliseconds(_random.NextDouble() switch
            {
                < 0.3 => _random.Next(10, token / 2),
                < 0.6 => _random.Next(token / 2, token),
                _ => _random.Next(token, (int)TokenPlusConsensus.TotalMilliseconds * 2),
            });
            var id = running[_random.Next(running.Count)];
            Describe($"pause node {id} for {length.TotalMilliseconds:F0} ms");
            _sim.Pause(id, length);
            _pauses++;
            if (_sim.Now + length > _pausedUntil) _pausedUntil = _sim.Now + length;
        }
    }

    // ---- (d) random partitions with quorum and fencing ----

    private void PartitionSafety()
    {
        _monitor = QuorumSafetyMonitor.Attach(_sim, TimeSpan.FromMilliseconds(100));
        var delay = TimeSpan.FromMicroseconds(_random.Next(0, 1000));
        _sim.Network.SetDefaultConditions(new LinkConditions(0, 0, delay, TimeSpan.FromMicroseconds(_random.Next(0, 1000))));
        var faults = _random.Next(5, 13);
        var gaps = Enumerable.Range(0, faults)
            .Select(_ => _random.NextDouble() < 0.3
                ? TimeSpan.FromMilliseconds(_random.Next(1, 800))
                : TimeSpan.FromMilliseconds(_random.Next(800, (int)(TokenPlusConsensus.TotalMilliseconds * 1.3))))
            .ToList();
        StartTraffic(gaps.Aggregate(TimeSpan.Zero, (a, b) => a + b), minGapMs: 500, maxGapMs: 2000);
        foreach (var gap in gaps)
        {
            Run(gap);
            RandomFault(allowFencing: true);
        }
        Run(TimeSpan.FromMilliseconds(_random.Next(0, 2000)));

        // Everything comes back: one ring of every node, quorate.
        Heal();
        foreach (var id in _sim.NodeIds.Where(n => !_sim.IsUp(n)).ToList()) Restart(id);
        var limit = TokenPlusConsensus * 3 + _sim.Options.BootDelay + BusyAllowance;
        var formed = RunUntil(() => _sim.LiveNodes.Count() == _sim.Options.NodeCount && _sim.OneRingOfLiveNodes(), limit);
        if (formed is null)
            _violations.Add($"liveness: after the final heal and restarts no ring of all {_sim.Options.NodeCount} nodes formed within {limit.TotalMilliseconds:F0} ms; {RingSummary()}");
        else if (RunUntil(() => _sim.QuorateNodes().Count == _sim.Options.NodeCount, TimeSpan.FromSeconds(5)) is null)
            _violations.Add($"quorum: one ring of all nodes formed but only [{string.Join(" ", _sim.QuorateNodes())}] became quorate within 5 s");
        _monitor.Stop();
        _monitor.CheckNow();
    }

    // ---- faults ----

    private void RandomFault(bool allowFencing)
    {
        MarkLastFault();
        var live = _sim.LiveNodes.Where(n => !_sim.Leaving.Contains(n)).OrderBy(n => n).ToList();
        var down = _sim.NodeIds.Where(n => !_sim.IsUp(n) && !_sim.Leaving.Contains(n)).OrderBy(n => n).ToList();
        var partitioned = _sim.Network.KnownNodes.Any(a => _sim.Network.KnownNodes.Any(b => !_sim.Network.CanReach(a, b)));
        var choices = new List<Action>();
        if (live.Count > 1)
        {
            choices.Add(() => Crash(live[_random.Next(live.Count)]));
            if (!allowFencing) choices.Add(() => Leave(live[_random.Next(live.Count)]));
        }
        if (down.Count > 0)
        {
            choices.Add(() => Restart(down[_random.Next(down.Count)]));
            choices.Add(() => Restart(down[_random.Next(down.Count)]));
        }
        choices.Add(RandomPartition);
        if (allowFencing) choices.Add(RandomPartition);
        if (partitioned)
        {
            choices.Add(Heal);
            choices.Add(Heal);
        }
        choices[_random.Next(choices.Count)]();
    }

    private void Crash(NodeId id)
    {
        Describe($"crash node {id}");
        _sim.Crash(id);
        _crashes++;
    }

    private void Leave(NodeId id)
    {
        Describe($"node {id} leaves (clean shutdown)");
        _sim.Shutdown(id);
        _leaves++;
    }

    private void Restart(NodeId id)
    {
        Describe($"restart node {id}");
        _sim.Start(id);
        _restarts++;
    }

    private void RandomPartition()
    {
        var nodes = _sim.NodeIds.OrderBy(_ => _random.Next()).ToList();
        var groupCount = _random.Next(2, Math.Min(3, nodes.Count) + 1);
        var groups = Enumerable.Range(0, groupCount).Select(_ => new List<NodeId>()).ToList();
        for (var i = 0; i < nodes.Count; i++)
            groups[i < groupCount ? i : _random.Next(groupCount)].Add(nodes[i]);
        _sim.Network.Partition(groups.Select(g => (IReadOnlyCollection<NodeId>)g).ToArray());
        Describe($"partition {string.Join(" | ", groups.Select(g => string.Join(" ", g.Order())))}");
        _partitions++;
    }

    private void Heal()
    {
        _sim.Network.Heal();
        Describe("heal");
        _heals++;
    }

    // ---- workload ----

    private void StartTraffic(TimeSpan duration, int minGapMs, int maxGapMs)
    {
        _trafficUntil = _sim.Now + duration;
        foreach (var id in _sim.NodeIds.ToList()) ScheduleSubmit(id, minGapMs, maxGapMs);
    }

    private void ScheduleSubmit(NodeId id, int minGapMs, int maxGapMs)
    {
        var gap = TimeSpan.FromMilliseconds(_random.Next(minGapMs, maxGapMs + 1));
        _sim.Simulation.Schedule(gap, () =>
        {
            if (_sim.Now > _trafficUntil) return;
            if (_sim.IsUp(id) && !_sim.Leaving.Contains(id))
            {
                // Now and then a burst, so that small messages are packed into one frame; now and then a message
                // larger than a frame, so that it is fragmented (and a few of those are in flight at the faults).
                var burst = _sizes.Next(4) == 0 ? _sizes.Next(2, 7) : 1;
                for (var i = 0; i < burst; i++)
                {
                    _sim.Submit(id, NextMessageSize());
                    _submitted++;
                }
            }
            ScheduleSubmit(id, minGapMs, maxGapMs);
        }, $"workload node {id}");
    }

    private static readonly int FrameBudget = Totem.Protocol.Pg.PgLimits.FrameBudget((int)Totem.Protocol.Config.TotemTimeoutRules.NetMtu);

    /// <summary>Mostly small messages (0 means just the name), one in eight between one and three frames long.</summary>
    private int NextMessageSize() =>
        _sizes.Next(8) == 0 ? _sizes.Next(FrameBudget + 1, 3 * FrameBudget + 100) : _sizes.Next(3) == 0 ? 0 : _sizes.Next(8, 120);

    // ---- settling and liveness ----

    /// <summary>
    /// Remembers when the last change happened, whether every live node was OPERATIONAL on one ring then, and whether
    /// a live node was in COMMIT or RECOVERY (the terms of <see cref="RandomScenarios.SettleBound"/>). That ring may be
    /// doomed by the change (its commit token's next hop crashed, or a member moved on and discards it), and corosync
    /// then waits out a whole token timeout in that state ("The token was lost in the COMMIT state") before it gathers
    /// again; after that the gather can still count the last join of a processor that crashed after sending it
    /// (memb_consensus_set is reset only by memb_state_gather_enter), commit with it and lose one more token timeout
    /// before its consensus timeout fails it. So the bound gets one token timeout more.
    /// </summary>
    private void MarkLastFault()
    {
        _lastFault = _sim.Now;
        var states = _sim.LiveNodes.Select(n => _sim.Node(n).Board.Status()).ToList();
        _oneRingAtLastFault = states.All(s => s.State == Totem.Protocol.Srp.SrpState.Operational) && states.Select(s => s.RingId).Distinct().Count() <= 1;
        _commitUnderWayAtLastFault = states.Any(s => s.State is Totem.Protocol.Srp.SrpState.Commit or Totem.Protocol.Srp.SrpState.Recovery);
    }

    /// <summary>After the faults stop: one ring of every live node within token + consensus + slack of the last fault, then every queued message delivered.</summary>
    private void Settle()
    {
        var bound = RandomScenarios.SettleBound(Timeouts, _oneRingAtLastFault, _commitUnderWayAtLastFault, BusyAllowance);
        var formed = RunUntil(_sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(120));
        if (formed is null)
        {
            _violations.Add($"liveness: no single ring of the live nodes [{string.Join(" ", _sim.LiveNodes.Order())}] formed within 120 s after the faults stopped; {RingSummary()}");
            return;
        }
        // The ring may have formed before the poll saw it: its installation time is the last regular configuration.
        var live = _sim.LiveNodes.ToHashSet();
        var installedAt = _sim.Configurations.Where(c => live.Contains(c.Node) && c.Change.Kind == Totem.Protocol.Srp.ConfigurationKind.Regular)
            .Select(c => c.At).DefaultIfEmpty(formed.Value).Max();
        _settle = installedAt > _lastFault ? installedAt - _lastFault : TimeSpan.Zero;
        Describe($"one ring of [{string.Join(" ", _sim.LiveNodes.Order())}] after {_settle.Value.TotalMilliseconds:F0} ms (bound {bound.TotalMilliseconds:F0} ms)");
        if (_settle > bound)
            _violations.Add($"liveness: one ring of the live nodes formed {_settle.Value.TotalMilliseconds:F0} ms after the last fault, above " +
                            $"{RandomScenarios.DescribeSettleBound(_oneRingAtLastFault, _commitUnderWayAtLastFault, BusyAllowance)} = {bound.TotalMilliseconds:F0} ms");
        Run(_trafficUntil > _sim.Now ? _trafficUntil - _sim.Now : TimeSpan.Zero);
        if (RunUntil(_sim.QueuesDrained, TimeSpan.FromSeconds(30)) is null)
            _violations.Add($"liveness: messages still wait for the token 30 s after the ring formed; {RingSummary()}");
        // The end-of-run liveness check may only judge once the protocol had its own time to finish: a token
        // lost just before the faults stopped comes back after token_retransmit (totemsrp.c resends the last
        // token it sent, timer_function_token_retransmit_timeout), which is longer than a fixed second with 4
        // or more nodes; if it does not, token loss forms a new ring within token + consensus whose recovery
        // delivers the rest. So wait for every message to be delivered everywhere, up to that bound.
        else if (RunUntil(_sim.DeliveriesSettled, TokenPlusConsensus + RandomScenarios.SettleSlack + BusyAllowance) is null)
            _violations.Add($"liveness: messages still undelivered {(TokenPlusConsensus + RandomScenarios.SettleSlack + BusyAllowance).TotalMilliseconds:F0} ms " +
                            $"(effective token + consensus + {RandomScenarios.SettleSlack.TotalMilliseconds:F0} ms" +
                            (BusyAllowance > TimeSpan.Zero ? $" + {BusyAllowance.TotalMilliseconds:F0} ms for busy nodes" : "") +
                            $") after the queues drained; {_sim.DeliverySummary()}");
        Run(TimeSpan.FromSeconds(1));
    }

    private string RingSummary() => string.Join("; ", _sim.LiveNodes.Order().Select(id =>
    {
        var status = _sim.Node(id).Board.Status();
        return $"node {id}: {status.State} ring {status.RingId} [{string.Join(" ", status.Members)}]";
    }));

    // ---- running with a livelock guard ----

    private void Run(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero) return;
        var budget = RandomScenarios.EventBudget;
        var end = _sim.Now + duration;
        if (!_sim.Simulation.RunUntil(() => _sim.Simulation.EventsProcessed > budget, duration)) return;
        throw new LivelockException($"livelock: more than {budget} events by {_sim.Now.TotalMilliseconds:F0} ms of virtual time (run was to end at {end.TotalMilliseconds:F0} ms); {RingSummary()}");
    }

    private TimeSpan? RunUntil(Func<bool> predicate, TimeSpan timeout)
    {
        var deadline = _sim.Now + timeout;
        while (true)
        {
            if (predicate()) return _sim.Now;
            if (_sim.Now >= deadline) return null;
            var step = TimeSpan.FromMilliseconds(50);
            Run(step < deadline - _sim.Now ? step : deadline - _sim.Now);
        }
    }

    private void Describe(string step) => _script.Add($"{_sim.Now.TotalMilliseconds,9:F0} ms  {step}");

    private sealed class LivelockException(string message) : Exception(message);
}
