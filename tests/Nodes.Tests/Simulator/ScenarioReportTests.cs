using Totem.Nodes.Simulator;
using Totem.Nodes.Simulator.Scenarios;
using Totem.Protocol.Links;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>The random scenarios' and the link failover scenario's reports come from one writer, with one violation cap.</summary>
public sealed class ScenarioReportTests
{
    private static readonly string[] Violations = Enumerable.Range(1, 35).Select(i => $"violation {i}").ToArray();
    private static readonly string[] Script = ["cut link 0 at node 2", "heal"];
    private static readonly CapturedLog[] Logs = Enumerable.Range(1, 5)
        .Select(i => new CapturedLog(TimeSpan.FromMilliseconds(i), new NodeId(1), "INFO", "KNET", $"line {i}")).ToArray();

    [Fact]
    public void Both_outcomes_write_the_same_sections_and_cap_the_violations_alike()
    {
        var link = new LinkFailoverOutcome(7, 3, LinkMode.Passive, Violations, Script, [], Logs, "").Report(logLines: 2);
        var random = new ScenarioOutcome(ScenarioKind.Crashes, 7, 3, Violations, Script, Logs,
            new ScenarioStats(TimeSpan.Zero, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, 0)).Report(logLines: 2);

        foreach (var report in new[] { link, random })
        {
            var lines = report.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
            Assert.EndsWith(": 35 violation(s)", lines[0]);
            Assert.Equal(ScenarioReport.ViolationsShown, lines.Count(l => l.StartsWith("  violation ", StringComparison.Ordinal)));
            Assert.Contains("  ... and 5 more", lines);
            Assert.Contains("    cut link 0 at node 2", lines);
            Assert.Contains("  last 2 log lines:", lines);
            Assert.Contains(lines, l => l.EndsWith("line 5", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.EndsWith("line 3", StringComparison.Ordinal));
            Assert.StartsWith("  replay: TOTEM_SIM_SEED=7 ", lines[^1]);
        }
        Assert.StartsWith("link failover seed 7 (3 nodes, passive)", link);
        Assert.StartsWith("scenario crashes seed 7 (3 nodes)", random);
    }
}
