using Totem.Protocol.Srp;
using Totem.Protocol.Verification;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Srp;

/// <summary>
/// One seeded chaos run on five engines: loss, duplication, reordering, crashes, restarts and partitions,
/// then the faults stop and the run checks agreed order, no duplicates and that one ring of all nodes forms.
/// The seed drives the faults; the network's own randomness is seeded with 1000 + seed.
/// </summary>
internal static class ChaosScenario
{
    public static readonly uint[] Ids = [1, 2, 3, 4, 5];

    private static readonly int FrameBudget = Totem.Protocol.Pg.PgLimits.FrameBudget(1500);

    /// <summary>The slack beyond effective token + consensus within which a ring of every node should form after the faults stop.</summary>
    public const long SettleSlackMs = 1_000;

    /// <summary>
    /// The hard limit, in rounds of (effective token + consensus). From some states corosync's membership protocol needs
    /// more than one round: a node whose consensus timer expires multicasts a join naming every silent processor
    /// failed; every processor so named puts the sender in its own failed set and ignores it until its own round ends,
    /// so the groups split, each waits out a consensus timeout, and they merge afterwards.
    /// </summary>
    public const int SettleRoundsMax = 4;

    public static long SettleBoundMs
    {
        get
        {
            var timeouts = CorosyncDefaults.For(Ids.Length);
            return timeouts.Token + timeouts.Consensus + SettleSlackMs;
        }
    }

    /// <param name="anyPartition">Partitions split the nodes into random groups (else always {1,2} | {3,4,5}).</param>
    public static ChaosResult Run(int seed, int minDelayMs, int maxDelayMs, bool anyPartition = false, Action<SrpCluster>? observe = null)
    {
        var cluster = new SrpCluster(1000 + seed, Ids) { MinDelayMs = minDelayMs, MaxDelayMs = maxDelayMs, Loss = 0.08, Duplication = 0.05 };
        observe?.Invoke(cluster);
        cluster.Recorder = new DeliveryRecorder(payload => SrpCluster.Decode(payload).ToString(), syncRecorded: true);
        try
        {
            return RunChecked(cluster, seed, anyPartition);
        }
        catch (Exception e) when (e is not DumpedException)
        {
            var faults = anyPartition ? ", random partitions" : "";
            throw new DumpedException($"seed {seed} (delay {minDelayMs}..{maxDelayMs} ms{faults}): {e.Message}\n{Dump(cluster)}", e);
        }
    }

    private static ChaosResult RunChecked(SrpCluster cluster, int seed, bool anyPartition)
    {
        cluster.BootAll();
        cluster.RunFor(0);
        var rng = new Random(seed);
        var sizes = new Random(7_000 + seed);
        for (var step = 0; step < 40; step++)
        {
            foreach (var id in Ids)
                if (cluster[id].Up && rng.NextDouble() < 0.5)
                {
                    var guarantee = rng.NextDouble() < 0.3 ? DeliveryGuarantee.Safe : DeliveryGuarantee.Agreed;
                    // Bursts of small messages are packed; one in six spans several frames, in flight at the faults.
                    var burst = sizes.Next(4) == 0 ? sizes.Next(2, 6) : 1;
                    for (var i = 0; i < burst; i++)
                        cluster.Submit(id, guarantee, sizes.Next(6) == 0 ? sizes.Next(FrameBudget + 1, 3 * FrameBudget) : sizes.Next(8, 64));
                }
            var fault = rng.Next(20);
            var victim = Ids[rng.Next(Ids.Length)];
            if (fault == 0 && cluster[victim].Up) cluster.Crash(victim);
            else if (fault == 1 && !cluster[victim].Up) cluster.Boot(new NodeId(victim));
            else if (fault == 2 && anyPartition) cluster.Partition(RandomGroups(rng));
            else if (fault == 2) cluster.Partition(Ids.Take(2).ToArray(), Ids.Skip(2).ToArray());
            else if (fault == 3) cluster.Heal();
            cluster.RunFor(rng.Next(5, 800));
        }
        cluster.Heal();
        cluster.Loss = 0;
        cluster.Duplication = 0;
        foreach (var id in Ids) if (!cluster[id].Up) cluster.Boot(new NodeId(id));
        var faultsStopped = cluster.Now;
        var timeouts = CorosyncDefaults.For(Ids.Length);
        var limit = SettleRoundsMax * (timeouts.Token + timeouts.Consensus);
        if (!cluster.RunUntil(() => cluster.AllOperationalWith(Ids), faultsStopped + limit))
            throw new InvalidOperationException($"no single ring of all nodes {limit} ms ({SettleRoundsMax} x (token + consensus)) after the faults stopped");
        var settleMs = cluster.Now - faultsStopped;
        cluster.RunFor(5_000);

        // One (ring, seq) carries one message everywhere; no node delivers a message twice.
        var bySlot = new Dictionary<(RingId, uint, int), (uint, int)>();
        foreach (var node in cluster.Nodes.Values)
        {
            var seen = new HashSet<(uint, int)>();
            foreach (var d in node.Delivered)
            {
                var message = SrpCluster.Decode(d.Payload);
                if (!seen.Add(message)) throw new InvalidOperationException($"node {node.Id} delivered {message} twice");
                if (bySlot.TryGetValue((d.RingId, d.Seq, d.Piece), out var other))
                {
                    if (other != message) throw new InvalidOperationException($"{d.RingId}/{d.Seq}.{d.Piece} is {other} and {message}");
                }
                else bySlot[(d.RingId, d.Seq, d.Piece)] = message;
            }
        }
        // Everything submitted on the final ring reaches everyone.
        foreach (var id in Ids) cluster.Submit(id);
        if (!cluster.RunUntil(() => cluster.Nodes.Values.All(n =>
                Ids.All(src => n.Delivered.Any(d => SrpCluster.Decode(d.Payload) == (src, cluster[src].NextMessage - 1)))), cluster.Now + 10_000))
            throw new InvalidOperationException("messages submitted on the final ring were not delivered everywhere");
        cluster.RunFor(1_000);

        var violations = cluster.Recorder!.Check(livenessExpected: true);
        if (violations.Count > 0)
            throw new InvalidOperationException($"{violations.Count} invariant violation(s):\n{string.Join("\n", violations.Take(10))}");
        return new ChaosResult(settleMs, faultsStopped);
    }

    private static uint[][] RandomGroups(Random rng)
    {
        var groupCount = rng.Next(2, 4);
        var groups = Enumerable.Range(0, groupCount).Select(_ => new List<uint>()).ToArray();
        foreach (var id in Ids) groups[rng.Next(groupCount)].Add(id);
        return groups.Where(g => g.Count > 0).Select(g => g.ToArray()).ToArray();
    }

    public static string Dump(SrpCluster cluster, int lines = 40)
    {
        var text = new System.Text.StringBuilder();
        foreach (var n in cluster.Nodes.Values)
        {
            text.AppendLine($"==== node {n.Id} up={n.Up} state={n.Engine?.State} ring={n.Engine?.RingId} members={string.Join(",", n.Engine?.Members ?? [])}");
            foreach (var (t, o) in n.Outputs.Where(o => o.Output is not (StartTimer or StopTimer or RingSeqObserved or Delivered)).TakeLast(lines))
                text.AppendLine($"{t} {(o is SrpLog l ? $"{l.Level} {Format(l)}" : o.ToString())}");
        }
        return text.ToString();
    }

    private static string Format(SrpLog log)
    {
        var text = log.Template;
        foreach (var arg in log.Args)
        {
            var open = text.IndexOf('{', StringComparison.Ordinal);
            var close = open < 0 ? -1 : text.IndexOf('}', open);
            if (close < 0) break;
            text = text[..open] + arg + text[(close + 1)..];
        }
        return text;
    }

    internal sealed record ChaosResult(long SettleMs, long FaultsStoppedAt);

    internal sealed class DumpedException(string message, Exception inner) : Exception(message, inner);
}
