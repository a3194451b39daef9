using System.Text.RegularExpressions;

namespace Totem.Host.Ringbench.Whatif;

/// <summary>
/// A real ring's token losses and membership changes counted from its nodes' logs, by corosync's wording, the way the
/// simulator's what-if run counts them: a token loss is a ring in which some node logged "A processor failed, forming
/// new configuration" (every node that times out logs it, a node thawed from a stall logs it late: one loss), and a
/// membership change is a ring id of "A new membership (R) was formed" not seen before the window.
/// </summary>
public static partial class RingLogEvents
{
    public sealed record Counts(int TokenLosses, int MembershipChanges, int TokenLossLines);

    /// <summary>
    /// Counts over the lines of each node from its index in <paramref name="windowStart"/> on (earlier lines only tell
    /// which ring the node was in, and which rings existed already).
    /// </summary>
    public static Counts Count(IReadOnlyList<IReadOnlyList<string>> nodeLines, IReadOnlyList<int> windowStart)
    {
        ArgumentNullException.ThrowIfNull(nodeLines);
        ArgumentNullException.ThrowIfNull(windowStart);
        if (nodeLines.Count != windowStart.Count) throw new ArgumentException("one window start per node", nameof(windowStart));
        var before = new HashSet<string>(StringComparer.Ordinal);
        var formed = new HashSet<string>(StringComparer.Ordinal);
        var lost = new HashSet<string>(StringComparer.Ordinal);
        var lossLines = 0;
        for (var n = 0; n < nodeLines.Count; n++)
        {
            // A node that lost the token before it was in any ring of the log: keyed apart per node.
            var current = $"(none on node index {n})";
            var lines = nodeLines[n];
            for (var i = 0; i < lines.Count; i++)
            {
                var inWindow = i >= windowStart[n];
                var m = NewMembership().Match(lines[i]);
                if (m.Success)
                {
                    current = m.Groups["ring"].Value;
                    (inWindow ? formed : before).Add(current);
                }
                else if (inWindow && lines[i].Contains("A processor failed, forming new configuration", StringComparison.Ordinal))
                {
                    lossLines++;
                    lost.Add(current);
                }
            }
        }
        formed.ExceptWith(before);
        return new Counts(lost.Count, formed.Count, lossLines);
    }

    [GeneratedRegex(@"A new membership \((?<ring>[0-9a-fA-F]+\.[0-9a-fA-F]+)\) was formed")]
    private static partial Regex NewMembership();
}
