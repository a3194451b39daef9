using Totem.Nodes.Simulator;
using Totem.Protocol.Config;
using Totem.Protocol.Config.Reload;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>
/// `totemctl reload` in the deterministic simulator: the request goes through the ring, every member re-reads its own
/// file, the new timing is the one the ring runs (a crash afterwards is detected on the new token), refusals change
/// nothing on the node that refuses, and a node whose file is older says so.
/// </summary>
public sealed class ReloadTests
{
    private static string File(uint token, ulong version, string extra = "") =>
        $"totem {{\n  version: 2\n  transport: udpu\n  config_version: {version}\n  token: {token}\n{extra}}}\n" +
        "nodelist {\n" + string.Concat(Enumerable.Range(1, 3).Select(i => $"  node {{\n    nodeid: {i}\n    ring0_addr: 10.0.0.{i}\n  }}\n")) + "}\n";

    private static (ClusterSimulation Sim, Dictionary<NodeId, string> Files) Ring(int seed)
    {
        var files = Enumerable.Range(1, 3).ToDictionary(i => new NodeId((uint)i), _ => File(3000, 1));
        var sim = new ClusterSimulation(seed, new SimulationOptions(3) { ConfigFile = id => files[id], CaptureLogs = true });
        sim.StartAll();
        Assert.NotNull(sim.RunUntilOneRing(TimeSpan.FromSeconds(30)));
        sim.RunFor(TimeSpan.FromSeconds(2));
        return (sim, files);
    }

    private static string Key(TotemNode node, string key) => node.GetRuntime(key).Single(e => e.Key == key).Value;

    /// <summary>Asks <paramref name="requester"/> for a reload (its first: request 1) and runs until every member has every member's answer.</summary>
    private static void ReloadFrom(ClusterSimulation sim, NodeId requester)
    {
        sim.Node(requester).RequestReload();
        Assert.NotNull(sim.RunUntilPolled(() => sim.LiveNodes.All(n => sim.Node(n).Board.Running.ReportsFor(requester, 1).Count == 3),
            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10)));
    }

    [Fact]
    public void Every_member_rereads_its_file_and_the_new_token_is_the_one_that_fires()
    {
        var (sim, files) = Ring(seed: 11);
        foreach (var id in files.Keys.ToList()) files[id] = File(1000, 2);

        ReloadFrom(sim, new NodeId(1));

        var expected = TotemTimeouts.Derive(new TotemSettings { Token = 1000 }, 3);
        Assert.Equal(1650u, expected.Token);
        foreach (var id in sim.LiveNodes)
        {
            var node = sim.Node(id);
            Assert.Equal(expected, node.Board.Running.Timeouts);
            // What `totemctl timeouts` asks the node for (GET /v1/timeouts): the reloaded timing and the file's settings.
            Assert.Equal(expected, node.GetTimeouts().Timeouts);
            Assert.Equal(1000u, node.GetTimeouts().Totem.Token);
            Assert.Equal("1650", Key(node, "runtime.config.totem.token"));
            Assert.Equal("1980", Key(node, "runtime.config.totem.consensus"));
            Assert.Equal("1000", Key(node, "totem.token"));
            Assert.Equal(ReloadOutcome.Applied, node.Board.Running.ReportsFor(new NodeId(1), 1)[id].Outcome);
            Assert.Contains(sim.Logs, l => l.Node == id && l.Subsystem == "CFG" && l.Message == "Config reload requested by node 1");
            Assert.Equal(["2", "2", "2"], node.GetRuntime("runtime.members.").Select(e => e.Value));
        }

        var crashAt = sim.Now;
        sim.Crash(new NodeId(3));
        var (lower, upper) = FailoverTiming.Bounds(expected);
        TimeSpan? Installed(NodeId node) => sim.Configurations
            .Where(c => c.Node == node && c.At >= crashAt && c.Change.Kind == ConfigurationKind.Regular && !c.Change.Members.Contains(new NodeId(3)))
            .Select(c => (TimeSpan?)(c.At - crashAt)).FirstOrDefault();
        Assert.NotNull(sim.RunUntilPolled(() => sim.LiveNodes.All(n => Installed(n) is not null), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(10)));
        foreach (var id in sim.LiveNodes)
            Assert.InRange(Installed(id)!.Value, lower, upper);
        Assert.Contains(sim.Logs, l => l.Message.Contains("token timed out (1650ms), waiting 1980ms for consensus", StringComparison.Ordinal));
        Assert.DoesNotContain(sim.Logs, l => l.Message.Contains("token timed out (3650ms)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_refused_file_changes_nothing_on_its_node_and_says_which_key_and_line()
    {
        var (sim, files) = Ring(seed: 12);
        files[new NodeId(1)] = File(1000, 2);
        files[new NodeId(2)] = File(1000, 2).Replace("transport: udpu", "transport: udp");
        files[new NodeId(3)] = File(1000, 2).Replace("token: 1000", "token: later");

        ReloadFrom(sim, new NodeId(1));

        var reports = sim.Node(new NodeId(1)).Board.Running.ReportsFor(new NodeId(1), 1);
        Assert.Equal(ReloadOutcome.Applied, reports[new NodeId(1)].Outcome);
        Assert.Equal(ReloadOutcome.Refused, reports[new NodeId(2)].Outcome);
        Assert.StartsWith("node2.conf:3:3: error: Modified entry 'totem.transport' in corosync.conf cannot be changed at run-time", reports[new NodeId(2)].Detail);
        Assert.Equal(ReloadOutcome.Invalid, reports[new NodeId(3)].Outcome);
        Assert.StartsWith("node3.conf:5:10: error: value of key 'totem.token'", reports[new NodeId(3)].Detail);
        Assert.Equal(1650u, sim.Node(new NodeId(1)).Board.Running.Timeouts.Token);
        Assert.Equal(3650u, sim.Node(new NodeId(2)).Board.Running.Timeouts.Token);
        Assert.Equal(3650u, sim.Node(new NodeId(3)).Board.Running.Timeouts.Token);
        Assert.Contains(sim.Logs, l => l.Node == new NodeId(3) && l.Level == "Error" && l.Message.StartsWith("Unable to reload config file: node3.conf:5:10:", StringComparison.Ordinal));
        // Both refusing nodes still run version 1 and are told that node 1's file is newer.
        foreach (var older in new[] { 2u, 3u })
            Assert.Contains(sim.Logs, l => l.Node == new NodeId(older) && l.Message.StartsWith("Received config version (2) from node 1 is different than my config version (1): my config file is older", StringComparison.Ordinal));
        Assert.DoesNotContain(sim.Logs, l => l.Node == new NodeId(1) && l.Message.StartsWith("Received config version", StringComparison.Ordinal));
    }
}
