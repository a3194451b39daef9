using System.Text;

namespace Totem.Nodes.Simulator.Scenarios;

/// <summary>
/// The one writer of a failed seed's report, for every scenario's outcome: the header, the violations (the first
/// <see cref="ViolationsShown"/>, then how many more), the fault script, the last log lines and the replay command.
/// </summary>
public static class ScenarioReport
{
    public const int ViolationsShown = 30;

    public static string Write(string header, IReadOnlyList<string> violations, IReadOnlyList<string> script, IReadOnlyList<CapturedLog> logs, int logLines, string replay)
    {
        ArgumentNullException.ThrowIfNull(violations);
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(logs);
        var text = new StringBuilder();
        text.AppendLine($"{header}: {(violations.Count == 0 ? "passed" : $"{violations.Count} violation(s)")}");
        foreach (var violation in violations.Take(ViolationsShown)) text.AppendLine($"  {violation}");
        if (violations.Count > ViolationsShown) text.AppendLine($"  ... and {violations.Count - ViolationsShown} more");
        text.AppendLine("  script:");
        foreach (var step in script) text.AppendLine($"    {step}");
        if (logs.Count > 0)
        {
            text.AppendLine($"  last {Math.Min(logLines, logs.Count)} log lines:");
            foreach (var line in logs.Skip(Math.Max(0, logs.Count - logLines))) text.AppendLine($"    {line}");
        }
        text.AppendLine($"  replay: {replay}");
        return text.ToString();
    }
}
