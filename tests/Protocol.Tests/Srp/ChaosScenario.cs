using Totem.Protocol.Srp;
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

    public static SrpCluster Run(int seed, int minDelayMs, int maxDelayMs)
    {
        var cluster = new SrpCluster(1000 + seed, Ids) { MinDelayMs = minDelayMs, MaxDelayMs = maxDelayMs, Loss = 0.08, Duplication = 0.05 };
        try
        {
            RunChecked(cluster, seed);
        }
        catch (Exception e) when (e is not DumpedException)
        {
            throw new DumpedException($"seed {seed} (delay {minDelayMs}..{maxDelayMs} ms): {e.Message}\n{Dump(cluster)}", e);
        }
        return cluster;
    }

    private static void RunChecked(SrpCluster cluster, int seed)
    {
        cluster.BootAll();
        var rng = new Random(seed);
        for (var step = 0; step < 40; step++)
        {
            foreach (var id in Ids)
                if (cluster[id].Up && rng.NextDouble() < 0.5)
                    cluster.Submit(id, rng.NextDouble() < 0.3 ? DeliveryGuarantee.Safe : DeliveryGuarantee.Agreed);
            var fault = rng.Next(20);
            var victim = Ids[rng.Next(Ids.Length)];
            if (fault == 0 && cluster[victim].Up) cluster.Crash(victim);
            else if (fault == 1 && !cluster[victim].Up) cluster.Boot(new NodeId(victim));
            else if (fault == 2) cluster.Partition(Ids.Take(2).ToArray(), Ids.Skip(2).ToArray());
            else if (fault == 3) cluster.Heal();
            cluster.RunFor(rng.Next(5, 800));
        }
        cluster.Heal();
        cluster.Loss = 0;
        cluster.Duplication = 0;
        foreach (var id in Ids) if (!cluster[id].Up) cluster.Boot(new NodeId(id));
        if (!cluster.RunUntil(() => cluster.AllOperationalWith(Ids), cluster.Now + 120_000))
            throw new InvalidOperationException("no single ring at the end");
        cluster.RunFor(5_000);

        // One (ring, seq) carries one message everywhere; no node delivers a message twice.
        var bySlot = new Dictionary<(RingId, uint), (uint, int)>();
        foreach (var node in cluster.Nodes.Values)
        {
            var seen = new HashSet<(uint, int)>();
            foreach (var d in node.Delivered)
            {
                var message = SrpCluster.Decode(d.Payload);
                if (!seen.Add(message)) throw new InvalidOperationException($"node {node.Id} delivered {message} twice");
                if (bySlot.TryGetValue((d.RingId, d.Seq), out var other))
                {
                    if (other != message) throw new InvalidOperationException($"{d.RingId}/{d.Seq} is {other} and {message}");
                }
                else bySlot[(d.RingId, d.Seq)] = message;
            }
        }
        // Everything submitted on the final ring reaches everyone.
        foreach (var id in Ids) cluster.Submit(id);
        if (!cluster.RunUntil(() => cluster.Nodes.Values.All(n =>
                Ids.All(src => n.Delivered.Any(d => SrpCluster.Decode(d.Payload) == (src, cluster[src].NextMessage - 1)))), cluster.Now + 10_000))
            throw new InvalidOperationException("messages submitted on the final ring were not delivered everywhere");
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

    internal sealed class DumpedException(string message, Exception inner) : Exception(message, inner);
}
