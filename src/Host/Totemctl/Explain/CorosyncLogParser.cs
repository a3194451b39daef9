using System.Globalization;
using System.Text.RegularExpressions;

namespace Totem.Host.Totemctl.Explain;

/// <summary>
/// Reads corosync 2 and 3 logs in the forms admins have them: corosync.log (logging.timestamp hires, on, or off; the
/// subsystem tag optional) and journalctl -u corosync (short, short-precise, short-iso, short-iso-precise). Other
/// programs' journal lines, journal markers ("-- Boot ... --") and '#' annotations are skipped silently; a line in
/// none of these forms, or with an impossible timestamp, becomes a <see cref="LogDiagnostic"/> and is skipped.
/// Syslog-style times have no year: they take <c>year</c> and roll over when the month goes backwards.
/// </summary>
public static partial class CorosyncLogParser
{
    public sealed record Result(IReadOnlyList<CorosyncLogLine> Lines, IReadOnlyList<LogDiagnostic> Diagnostics);

    public static Result Parse(IEnumerable<string> text, string source, int year)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = new List<CorosyncLogLine>();
        var diagnostics = new List<LogDiagnostic>();
        var number = 0;
        var currentYear = year;
        DateTime? previous = null;
        foreach (var raw in text)
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.StartsWith('#') || JournalMarker().IsMatch(line)) continue;
            Match m;
            if ((m = LogFileLine().Match(line)).Success || (m = JournalLine().Match(line)).Success)
            {
                DateTime? time = null;
                double resolution = 0;
                if (m.Groups["ts"].Success)
                {
                    if (!TryTime(m.Groups["ts"].Value, currentYear, previous, out var t, out resolution, out var rolled, out var why))
                    {
                        diagnostics.Add(new(source, number, why, line));
                        continue;
                    }
                    currentYear = rolled;
                    time = previous = t;
                }
                var subsystem = m.Groups["sub"].Success ? m.Groups["sub"].Value.Trim() : null;
                lines.Add(new(number, time, resolution, int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture), subsystem, m.Groups["msg"].Value.TrimEnd()));
            }
            else if (OtherProgramLine().IsMatch(line))
            {
                // journalctl without -u: pmxcfs, kernel, ... are not corosync's story.
            }
            else
            {
                diagnostics.Add(new(source, number, "not a corosync log line (neither corosync.log's \"[PID] HOST corosync PRIORITY [SUBSYS] message\" nor journalctl's \"HOST corosync[PID]: message\")", line));
            }
        }
        return new(lines, diagnostics);
    }

    private static readonly string[] SyslogFormats = ["MMM d HH:mm:ss", "MMM d HH:mm:ss.FFFFFF"];

    private static bool TryTime(string text, int year, DateTime? previous, out DateTime time, out double resolutionMs, out int usedYear, out string problem)
    {
        var inv = CultureInfo.InvariantCulture;
        usedYear = year;
        problem = "";
        time = default;
        var fraction = text.IndexOf('.', StringComparison.Ordinal);
        resolutionMs = fraction < 0 ? 1000 : Math.Max(0.001, Math.Pow(10, 3 - FractionDigits(text, fraction)));
        if (char.IsDigit(text[0]))
        {
            if (DateTimeOffset.TryParse(text, inv, DateTimeStyles.None, out var iso))
            {
                time = iso.DateTime;
                usedYear = time.Year;
                return true;
            }
            problem = $"timestamp '{text}' is not a valid ISO 8601 time";
            return false;
        }
        var normalized = MultipleSpaces().Replace(text, " ");
        // Parsed with a leap year so 29 Feb is read; the real year is checked next.
        if (!DateTime.TryParseExact("2000 " + normalized, SyslogFormats.Select(f => "yyyy " + f).ToArray(), inv, DateTimeStyles.None, out var parsed))
        {
            problem = $"timestamp '{text}' is not a syslog time (\"Dec 07 14:29:48\" or \"Dec 07 14:29:48.123\")";
            return false;
        }
        // A log runs forwards: December then January is a new year, not time travel.
        var y = previous is { } p && p.Month - parsed.Month >= 6 ? year + 1 : year;
        if (parsed.Month == 2 && parsed.Day == 29 && !DateTime.IsLeapYear(y))
        {
            problem = $"timestamp '{text}': 29 Feb does not exist in {y}";
            return false;
        }
        time = new DateTime(y, parsed.Month, parsed.Day).Add(parsed.TimeOfDay);
        usedYear = y;
        return true;
    }

    private static int FractionDigits(string text, int dot)
    {
        var n = 0;
        for (var i = dot + 1; i < text.Length && char.IsDigit(text[i]); i++) n++;
        return n;
    }

    private const string Syslog = @"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?";
    private const string Iso = @"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?";
    private const string Tail = @"(?:\[(?<sub>[^\]]{1,8})\] )?(?<msg>.*)$";

    // corosync's logfile and stderr: "[%P] %H %N %p [%6s] %m" after an optional time; with timestamp off corosync 3.1
    // writes "corosyncnotice" (no space between name and priority).
    [GeneratedRegex(@"^(?:(?<ts>" + Syslog + @") )?\[(?<pid>\d+)\] (?<host>\S+) corosync ?(?<prio>notice|info|warning|error|err|debug|trace|crit|alert|emerg)\s+" + Tail)]
    private static partial Regex LogFileLine();

    [GeneratedRegex(@"^(?<ts>" + Syslog + "|" + Iso + @") (?<host>\S+) corosync\[(?<pid>\d+)\]:\s+" + Tail)]
    private static partial Regex JournalLine();

    [GeneratedRegex(@"^(?:" + Syslog + "|" + Iso + @") \S+ [^\s\[:]+(?:\[\d+\])?: ")]
    private static partial Regex OtherProgramLine();

    [GeneratedRegex(@"^-- .* --$")]
    private static partial Regex JournalMarker();

    [GeneratedRegex(" +")]
    private static partial Regex MultipleSpaces();
}
