using System.Globalization;
using System.Text.RegularExpressions;

namespace Totem.Host.Totemctl.Explain;

/// <summary>
/// Cuts one node's corosync log into membership changes (<see cref="MembershipChange"/>), by corosync's own wording
/// (totemsrp.c, votequorum.c, sync.c, main.c of 2.4 and 3.1): "Token has not been received in N ms", "A processor
/// failed, forming new configuration[: token timed out (Tms), waiting Cms for consensus]", "A new membership (RING) was
/// formed. Members joined: ... left: ...", "Failed to receive the leave message. failed: ...", "[QUORUM] Members[N]: ...",
/// "This node is within the (non-)primary component", "Completed service synchronization". Warnings after the last
/// change that led to none (a token warning that recovered, a scheduling pause) are <see cref="Result.Unresolved"/>.
/// </summary>
public static partial class MembershipStories
{
    /// <param name="CorosyncMajor">2 or 3 from the start-up line ("Corosync Cluster Engine ('2.4.4')", "Corosync Cluster Engine 3.1.7"), else from corosync 2's "IP:seq" ring ids; null when neither shows.</param>
    public sealed record Result(IReadOnlyList<MembershipChange> Changes, IReadOnlyList<StoryEvent> Unresolved, int LargestMembership, int? CorosyncMajor);

    public static Result Build(IReadOnlyList<CorosyncLogLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var changes = new List<MembershipChange>();
        var unresolved = new List<StoryEvent>();
        var pending = new Pending();
        Draft? current = null;
        bool? quorate = null;
        var largest = 0;
        int? major = null;

        void Close()
        {
            if (current is null) return;
            changes.Add(current.ToChange(changes.Count + 1));
            current = null;
        }

        foreach (var line in lines)
        {
            var msg = line.Message;
            var ev = new StoryEvent(line.LineNumber, line.Time, msg);
            Match m;
            if ((m = EngineVersion().Match(msg)).Success) major = int.Parse(m.Groups["major"].Value, CultureInfo.InvariantCulture);
            if ((m = TokenWarning().Match(msg)).Success)
            {
                Close();
                // A second warning before any change: the first one recovered (a near miss).
                if (pending.TokenWarning is { } earlier) unresolved.Add(earlier);
                pending.TokenWarning = ev;
                pending.TokenWarningMs = UInt(m.Groups["ms"].Value);
                pending.Timeline.Add(ev);
            }
            else if ((m = ProcessorFailed().Match(msg)).Success)
            {
                Close();
                pending.ProcessorFailed = ev;
                pending.LoggedTokenMs = m.Groups["token"].Success ? UInt(m.Groups["token"].Value) : null;
                pending.LoggedConsensusMs = m.Groups["consensus"].Success ? UInt(m.Groups["consensus"].Value) : null;
                pending.Timeline.Add(ev);
            }
            else if ((m = NewMembership().Match(msg)).Success)
            {
                Close();
                if (major is null && m.Groups["ring"].Value.Contains(':', StringComparison.Ordinal)) major = 2;
                current = new Draft(pending, ev, m.Groups["ring"].Value, Ids(m.Groups["joined"].Value), Ids(m.Groups["left"].Value), quorate);
                pending = new Pending();
            }
            else if ((m = LeaveNotReceived().Match(msg)).Success && current is not null)
            {
                current.Failed = Ids(m.Groups["ids"].Value);
                current.Timeline.Add(ev);
            }
            else if (line.Subsystem == "QUORUM" && (m = QuorumMembers().Match(msg)).Success)
            {
                var ids = Ids(m.Groups["ids"].Value);
                largest = Math.Max(largest, ids.Count);
                if (current is not null)
                {
                    current.Members = ids;
                    current.Timeline.Add(ev);
                }
            }
            else if (msg.StartsWith("This node is within the primary component", StringComparison.Ordinal)
                || msg.StartsWith("This node is within the non-primary component", StringComparison.Ordinal))
            {
                quorate = msg.Contains("within the primary", StringComparison.Ordinal);
                if (current is not null)
                {
                    current.Quorate = quorate;
                    current.Timeline.Add(ev);
                }
            }
            else if (msg.StartsWith("Completed service synchronization", StringComparison.Ordinal) && current is not null)
            {
                current.SyncCompleted ??= ev;
                current.Timeline.Add(ev);
            }
            else if (LinkDown().IsMatch(msg) || NotScheduled().IsMatch(msg) || PauseDetected().IsMatch(msg)
                || msg.StartsWith("Corosync Cluster Engine", StringComparison.Ordinal) && msg.Contains("starting up", StringComparison.Ordinal))
            {
                Close();
                pending.Timeline.Add(ev);
            }
            else if (msg.StartsWith("Node was shut down by a signal", StringComparison.Ordinal))
            {
                Close();
                quorate = null;
            }
        }
        Close();
        if (pending.TokenWarning is { } last) unresolved.Add(last);
        unresolved.AddRange(pending.Timeline.Where(e => e != pending.TokenWarning && !e.What.StartsWith("Corosync Cluster Engine", StringComparison.Ordinal)));
        unresolved.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new(changes, unresolved, largest, major);
    }

    private static uint UInt(string s) => uint.Parse(s, CultureInfo.InvariantCulture);

    private static IReadOnlyList<uint> Ids(string s) =>
        s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(UInt).ToArray();

    private sealed class Pending
    {
        public List<StoryEvent> Timeline { get; } = [];
        public StoryEvent? TokenWarning { get; set; }
        public uint? TokenWarningMs { get; set; }
        public StoryEvent? ProcessorFailed { get; set; }
        public uint? LoggedTokenMs { get; set; }
        public uint? LoggedConsensusMs { get; set; }
    }

    private sealed class Draft(Pending before, StoryEvent formed, string ring, IReadOnlyList<uint> joined, IReadOnlyList<uint> left, bool? wasQuorate)
    {
        public List<StoryEvent> Timeline { get; } = [.. before.Timeline, formed];
        public IReadOnlyList<uint> Failed { get; set; } = [];
        public IReadOnlyList<uint>? Members { get; set; }
        public bool? Quorate { get; set; }
        public bool? WasQuorate { get; } = wasQuorate;
        public StoryEvent? SyncCompleted { get; set; }

        public MembershipChange ToChange(int index) => new(index, ring, formed, joined, left, Failed, Members, Quorate ?? WasQuorate, WasQuorate,
            before.TokenWarning, before.TokenWarningMs, before.ProcessorFailed, before.LoggedTokenMs, before.LoggedConsensusMs, SyncCompleted, Timeline);
    }

    [GeneratedRegex(@"^Corosync Cluster Engine \(?'?(?<major>\d+)\.\d+")]
    private static partial Regex EngineVersion();

    [GeneratedRegex(@"^Token has not been received in (?<ms>\d+) ms")]
    private static partial Regex TokenWarning();

    [GeneratedRegex(@"^A processor failed, forming new configuration(?:: token timed out \((?<token>\d+)ms\), waiting (?<consensus>\d+)ms for consensus)?")]
    private static partial Regex ProcessorFailed();

    // 2.4/3.x: "A new membership (1.d) was formed. Members joined: 2 3 left: 5"; 2.3: "A processor joined or left the
    // membership and a new membership (10.0.0.1:1234) was formed."
    [GeneratedRegex(@"[Aa] new membership \((?<ring>[^)]+)\) was formed\.?(?: Members(?: joined:(?<joined>(?: \d+)+))?(?: left:(?<left>(?: \d+)+))?)?")]
    private static partial Regex NewMembership();

    [GeneratedRegex(@"^Failed to receive the leave message\. failed:(?<ids>(?: \d+)+)")]
    private static partial Regex LeaveNotReceived();

    // Case-sensitive: "Sync members[N]:" is the sync's view before it completed.
    [GeneratedRegex(@"^Members\[(?<count>\d+)\]:(?<ids>(?: \d+)*)\s*$")]
    private static partial Regex QuorumMembers();

    [GeneratedRegex(@"link: host: \d+ link: \d+ is down|host: \d+ has no active links")]
    private static partial Regex LinkDown();

    [GeneratedRegex(@"Corosync main process was not scheduled for [\d.]+ ms")]
    private static partial Regex NotScheduled();

    [GeneratedRegex(@"Process pause detected for \d+ ms")]
    private static partial Regex PauseDetected();
}
