using System.Globalization;
using Totem.Host.Control.Api;

namespace Totem.Host.Totemctl.Views;

/// <summary>
/// The text of `totemctl status` (shaped like `pvecm status`) and `totemctl quorum` (shaped like
/// `corosync-quorumtool -s`): the same sections and labels, so muscle memory and scripts carry over.
/// </summary>
public static class StatusView
{
    public static void WriteStatus(TextWriter w, StatusDto s)
    {
        Section(w, "Cluster information");
        Line(w, "Name:", s.ClusterName);
        Line(w, "Ring state:", s.State);
        Line(w, "Transport:", s.Transport);
        w.WriteLine();
        WriteQuorumSections(w, s, hexIds: true);
        w.WriteLine();
        Section(w, "Fencing information");
        Line(w, "Mode:", s.Watchdog.Mode);
        Line(w, "Timeout:", $"{s.Watchdog.TimeoutMs} ms");
        Line(w, "Watchdog:", WatchdogText(s.Watchdog, s.At));
    }

    public static void WriteQuorum(TextWriter w, StatusDto s) => WriteQuorumSections(w, s, hexIds: false);

    public static string WatchdogText(WatchdogDto wd, DateTimeOffset now) =>
        !wd.Armed ? "disarmed"
        : wd.Deadline is { } d ? string.Create(CultureInfo.InvariantCulture, $"armed, fencing in {Math.Max(0, (d - now).TotalMilliseconds):0} ms (at {d.ToLocalTime():HH:mm:ss.fff})")
        : "armed";

    private static void WriteQuorumSections(TextWriter w, StatusDto s, bool hexIds)
    {
        Section(w, "Quorum information");
        Line(w, "Date:", s.At.ToLocalTime().ToString("ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture));
        Line(w, "Quorum provider:", "corosync_votequorum");
        Line(w, "Nodes:", s.Members.Count.ToString(CultureInfo.InvariantCulture));
        Line(w, "Node ID:", Id(s.NodeId, hexIds));
        Line(w, "Ring ID:", s.RingId.Text);
        Line(w, "Quorate:", s.Quorate ? "Yes" : "No");
        w.WriteLine();
        Section(w, "Votequorum information");
        Line(w, "Expected votes:", s.ExpectedVotes.ToString(CultureInfo.InvariantCulture));
        Line(w, "Highest expected:", s.HighestExpected.ToString(CultureInfo.InvariantCulture));
        Line(w, "Total votes:", s.TotalVotes.ToString(CultureInfo.InvariantCulture));
        Line(w, "Quorum:", s.Quorum.ToString(CultureInfo.InvariantCulture) + (s.Quorate ? "  " : "  Activity blocked"));
        Line(w, "Flags:", s.Flags.Count == 0 ? "" : string.Join(" ", s.Flags));
        w.WriteLine();
        Section(w, "Membership information");
        w.WriteLine("    Nodeid      Votes Name");
        foreach (var n in s.Nodes.Where(n => n.Member).OrderBy(n => n.NodeId))
        {
            var name = n.Name ?? n.Address ?? "";
            var local = n.NodeId == s.NodeId ? " (local)" : "";
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Id(n.NodeId, hexIds),10} {n.Votes,10} {name}{local}"));
        }
    }

    private static string Id(uint id, bool hex) =>
        hex ? string.Create(CultureInfo.InvariantCulture, $"0x{id:x8}") : id.ToString(CultureInfo.InvariantCulture);

    private static void Section(TextWriter w, string title)
    {
        w.WriteLine(title);
        w.WriteLine(new string('-', title.Length));
    }

    private static void Line(TextWriter w, string label, string value) => w.WriteLine($"{label,-18}{value}".TrimEnd());
}
