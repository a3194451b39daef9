using System.Globalization;
using System.Text.RegularExpressions;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// One line of a totemd log in corosync's format ("Dec 07 18:30:01.123 [TOTEM ] message", local time, no year) with its
/// time as Unix milliseconds, and which log line marks which cluster event (the event's corosync wording).
/// </summary>
internal sealed partial record NodeLogLine(long At, string Subsystem, string Message)
{
    public static List<NodeLogLine> Read(string path)
    {
        var year = DateTime.Now.Year;
        var lines = new List<NodeLogLine>();
        foreach (var text in File.Exists(path) ? File.ReadLines(path) : [])
        {
            var m = Line().Match(text);
            if (!m.Success) continue;
            var local = DateTime.ParseExact($"{year} {m.Groups["ts"].Value}", "yyyy MMM dd HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal);
            lines.Add(new NodeLogLine(new DateTimeOffset(local).ToUnixTimeMilliseconds(), m.Groups["sub"].Value.Trim(), m.Groups["msg"].Value));
        }
        return lines;
    }

    /// <summary>Whether <paramref name="message"/> is the line a node logs for an event of type <paramref name="type"/> (EventDto.Type).</summary>
    public static bool Marks(string type, string message) => type switch
    {
        "tokenLost" => message.StartsWith("A processor failed, forming new configuration", StringComparison.Ordinal),
        "membershipFormed" => message.StartsWith("A new membership (", StringComparison.Ordinal),
        "quorumChanged" => message.StartsWith("This node is within the ", StringComparison.Ordinal),
        "watchdogArmed" => message.Contains("quorum lost, fencing in", StringComparison.Ordinal),
        _ => false,
    };

    [GeneratedRegex(@"^(?<ts>[A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2}\.\d{3}) \[(?<sub>[A-Z ]+)\] (?<msg>.*)$")]
    private static partial Regex Line();
}
