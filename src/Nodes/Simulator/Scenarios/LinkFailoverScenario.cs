using Totem.Protocol.Config;
using Totem.Protocol.Links;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Simulator.Scenarios;

/// <summary>
/// Issue 13's target in the simulator: a ring on two knet links (link_mode passive, active or rr by seed) under
/// application traffic loses one link (at one node, between two nodes, or everywhere), gets it back, then loses the
/// other one. Whatever the seed: the membership never changes after the first ring, every affected host's link is
/// declared down within knet_ping_timeout of the cut (virtual time), no ring datagram goes on a cut link after that,
/// and the run ends with every invariant of the random scenarios (total order, no loss, every message delivered).
/// </summary>
public static class LinkFailoverScenario
{
    public static LinkFailoverOutcome Run(int seed, bool captureLogs = false)
    {
        var random = new Random(unchecked(seed * 7919 + 13));
        var nodes = random.Next(2, 6);
        var mode = (LinkMode)(seed % 3);
        var options = new SimulationOptions(nodes)
        {
            Totem = new TotemSettings { LinkMode = mode.Word() },
            LinkNumbers = [0, 1],
            CaptureLogs = captureLogs,
        };
        return new Runner(seed, random, options).Run();
    }

    private sealed class Runner(int seed, Random random, SimulationOptions options)
    {
        private readonly ClusterSimulation _sim = new(seed, options);
        private readonly List<string> _script = new();
        private readonly List<string> _violations = new();
        private readonly List<TimeSpan> _failovers = new();
        private readonly TimeSpan _pingTimeout = options.Links[0].PingTimeout;
        private Cut? _cut;

        private sealed record Cut(uint Link, TimeSpan At, HashSet<(NodeId From, NodeId To)> Pairs, string What);

        public LinkFailoverOutcome Run()
        {
            var mode = LinkModes.Parse(options.Totem.LinkMode);
            _script.Add($"{options.NodeCount} nodes, link_mode {mode.Word()}, ping interval {options.Links[0].PingInterval.TotalMilliseconds} ms, timeout {_pingTimeout.TotalMilliseconds} ms");
            var delay = TimeSpan.FromMicroseconds(random.Next(100, 2000));
            var jitter = TimeSpan.FromMicroseconds(random.Next(0, 1000));
            _sim.Network.SetDefaultConditions(new LinkConditions(0, 0, delay, jitter));
            _sim.Network.OnSend = CheckNotOnCutLink;
            _sim.StartAll();
            if (_sim.RunUntilOneRing(TimeSpan.FromSeconds(30)) is not { } formed)
                return Done("no ring of every node within 30 s of the start");
            _script.Add($"{Ms(formed)} one ring of {options.NodeCount}");
            var configurations = _sim.Configurations.Count;

            var first = (uint)random.Next(0, 2);
            foreach (var link in new[] { first, 1 - first })
            {
                RunWithTraffic(TimeSpan.FromMilliseconds(random.Next(200, 2000)));
                CutLink(link);
                RunWithTraffic(_pingTimeout + TimeSpan.FromMilliseconds(random.Next(500, 4000)));
                ExpectFailover();
                _sim.Network.HealLinks();
                _script.Add($"{Ms(_sim.Now)} link {link} healed");
                _cut = null;
                // Back up after its pong count of pongs; a little more so the next cut starts from two up links.
                RunWithTraffic(options.Links[0].PingInterval * (options.Links[0].PongCount + 2));
            }

            if (_sim.RunUntil(() => _sim.QueuesDrained() && _sim.DeliveriesSettled(), TimeSpan.FromSeconds(30)) is false)
                _violations.Add($"deliveries not settled 30 s after the last heal: {_sim.DeliverySummary()}");
            var changes = _sim.Configurations.Skip(configurations).ToList();
            foreach (var (node, at, change) in changes.Take(5))
                _violations.Add($"membership changed at {Ms(at)} on node {node}: {change.Kind} ring {change.RingId} members [{string.Join(" ", change.Members)}]");
            _violations.AddRange(_sim.CheckInvariants(livenessExpected: true));
            return Done(null);
        }

        private LinkFailoverOutcome Done(string? failure)
        {
            if (failure is not null) _violations.Add(failure);
            return new LinkFailoverOutcome(seed, options.NodeCount, LinkModes.Parse(options.Totem.LinkMode), _violations, _script, _failovers, _sim.Logs, _sim.TraceHash);
        }

        private void CutLink(uint link)
        {
            var ids = options.NodeIds;
            var pairs = new HashSet<(NodeId, NodeId)>();
            string what;
            switch (random.Next(3))
            {
                case 0:
                    var node = ids[random.Next(ids.Count)];
                    _sim.Network.CutLink(node, link);
                    foreach (var other in ids.Where(o => o != node)) pairs.UnionWith([(node, other), (other, node)]);
                    what = $"at node {node}";
                    break;
                case 1:
                    var a = ids[random.Next(ids.Count)];
                    var b = ids.Where(o => o != a).ElementAt(random.Next(ids.Count - 1));
                    _sim.Network.CutLink(a, b, link);
                    pairs.UnionWith([(a, b), (b, a)]);
                    what = $"between nodes {a} and {b}";
                    break;
                default:
                    foreach (var n in ids) _sim.Network.CutLink(n, link);
                    foreach (var from in ids)
                        foreach (var to in ids.Where(t => t != from)) pairs.Add((from, to));
                    what = "everywhere";
                    break;
            }
            _cut = new Cut(link, _sim.Now, pairs, what);
            _script.Add($"{Ms(_sim.Now)} link {link} cut {what}");
        }

        /// <summary>Every affected host declared the cut link down, each within the ping timeout of the cut.</summary>
        private void ExpectFailover()
        {
            var cut = _cut!;
            foreach (var (from, to) in cut.Pairs.OrderBy(p => p.From).ThenBy(p => p.To))
            {
                var down = _sim.LinkEvents.FirstOrDefault(e => e.Node == from && e.At >= cut.At && e.Event is LinkWentDown d && d.Host == to && d.Link == cut.Link);
                if (down.Event is null)
                {
                    _violations.Add($"node {from} never declared link {cut.Link} to node {to} down after the cut at {Ms(cut.At)} ({cut.What})");
                    continue;
                }
                var took = down.At - cut.At;
                _failovers.Add(took);
                if (took > _pingTimeout)
                    _violations.Add($"node {from} declared link {cut.Link} to node {to} down {Ms(took)} after the cut: more than knet_ping_timeout {Ms(_pingTimeout)}");
            }
        }

        /// <summary>A ring datagram on a cut link is a violation once the ping timeout has passed since the cut.</summary>
        private void CheckNotOnCutLink(NodeId from, NodeId to, byte[] datagram)
        {
            if (_cut is not { } cut || _sim.Now - cut.At <= _pingTimeout) return;
            if (!LinkFrame.TryRead(datagram, out var frame, out _) || frame.Kind != LinkFrameKind.Data || frame.Link != cut.Link) return;
            if (cut.Pairs.Contains((from, to)) && _violations.Count < 20)
                _violations.Add($"{Ms(_sim.Now)} node {from} sent a ring datagram to node {to} on link {cut.Link}, cut {Ms(_sim.Now - cut.At)} ago");
        }

        private void RunWithTraffic(TimeSpan duration)
        {
            var end = _sim.Now + duration;
            while (_sim.Now < end)
            {
                var live = _sim.LiveNodes.ToList();
                if (live.Count > 0) _sim.Submit(live[random.Next(live.Count)], random.Next(0, 3) == 0 ? random.Next(100, 3000) : 0);
                var step = TimeSpan.FromMilliseconds(random.Next(5, 60));
                _sim.RunFor(step < end - _sim.Now ? step : end - _sim.Now);
            }
        }

        private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:F1} ms";
    }
}

/// <summary>One seed of the <see cref="LinkFailoverScenario"/>: what it found, the times from each cut to each affected link's down.</summary>
public sealed record LinkFailoverOutcome(
    int Seed,
    int NodeCount,
    LinkMode Mode,
    IReadOnlyList<string> Violations,
    IReadOnlyList<string> Script,
    IReadOnlyList<TimeSpan> Failovers,
    IReadOnlyList<CapturedLog> Logs,
    string TraceHash)
{
    public bool Passed => Violations.Count == 0;

    public string Report(int logLines = 60) =>
        ScenarioReport.Write($"link failover seed {Seed} ({NodeCount} nodes, {Mode.Word()})", Violations, Script, Logs, logLines,
            $"TOTEM_SIM_SEED={Seed} dotnet test tests/Nodes.Tests --filter \"FullyQualifiedName~LinkFailoverTests\"");
}
