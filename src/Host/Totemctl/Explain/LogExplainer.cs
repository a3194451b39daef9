using System.Globalization;
using Totem.Protocol.Config;

namespace Totem.Host.Totemctl.Explain;

/// <summary>
/// Times each membership change of a corosync log against what the timeouts predict (<see cref="FailoverWindow"/>):
/// last token seen to "A processor failed" against the effective token, the consensus wait against consensus, and the
/// fault (given, or the last token seen) to the new ring against token + consensus.
/// </summary>
public static class LogExplainer
{
    /// <summary>Scheduling slack on top of the log clock's resolution: corosync's timers fire on 4 ms poll steps, a loaded host adds some.</summary>
    public const double SlackMs = 100;

    public static ExplainReport Explain(string source, CorosyncLogParser.Result parsed, MembershipStories.Result stories, TotemTimeouts timeouts, string timingSource, DateTime? faultAt)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(stories);
        ArgumentNullException.ThrowIfNull(timeouts);
        var explained = new List<ChangeExplanation>();
        var faultUsed = faultAt is null;
        foreach (var change in stories.Changes)
        {
            DateTime? fault = null;
            if (!faultUsed && change.Formed.Time is { } formed && formed >= faultAt && IsFailure(change))
            {
                fault = faultAt;
                faultUsed = true;
            }
            explained.Add(ExplainOne(change, timeouts, fault, parsed.Lines.FirstOrDefault(l => l.LineNumber == change.Formed.Line)?.ResolutionMs ?? 0));
        }
        return new(source, timingSource, timeouts, explained, stories.Unresolved, parsed.Diagnostics);
    }

    private static bool IsFailure(MembershipChange c) => c.Left.Count > 0 || c.Failed.Count > 0 || c.ProcessorFailed is not null;

    private static ChangeExplanation ExplainOne(MembershipChange c, TotemTimeouts t, DateTime? givenFault, double resolution)
    {
        var inv = CultureInfo.InvariantCulture;
        var findings = new List<string>();
        DateTime? lastToken = c.TokenWarning?.Time is { } w && c.TokenWarningMs is { } ms ? w.AddMilliseconds(-ms) : null;
        if (lastToken is null && c.ProcessorFailed?.Time is { } pf) lastToken = pf.AddMilliseconds(-(c.LoggedTokenMs ?? t.Token));
        var fault = givenFault ?? lastToken;
        var faultSource = givenFault is not null ? "the fault time given (--fault-at)"
            : c.TokenWarning?.Time is not null ? "the last token seen (inferred from \"Token has not been received\")"
            : lastToken is not null ? "the last token seen (inferred from \"A processor failed\" less the token)"
            : null;

        double? Between(DateTime? a, DateTime? b) => a is { } x && b is { } y ? (y - x).TotalMilliseconds : null;
        var lastToFailed = Between(lastToken, c.ProcessorFailed?.Time);
        var consensusWait = Between(c.ProcessorFailed?.Time, c.Formed.Time);
        var total = Between(fault, c.Formed.Time);
        var sync = Between(c.Formed.Time, c.SyncCompleted?.Time);
        var window = givenFault is not null ? FailoverWindow.FaultToNewMembership(t) : FailoverWindow.LastTokenToNewMembership(t, declaredHere: c.ProcessorFailed is not null);

        if (c.LoggedTokenMs is { } loggedToken && loggedToken != t.Token)
            findings.Add($"corosync logged token timed out ({loggedToken}ms) where this config predicts {t.Token} ms: the node ran other timeouts or another ring size (token_coefficient adds per node above 2); give --config or --nodes to match.");
        if (c.LoggedConsensusMs is { } loggedConsensus && loggedConsensus != t.Consensus)
            findings.Add($"corosync logged waiting {loggedConsensus}ms for consensus where this config predicts {t.Consensus} ms.");
        if (c.TokenWarningMs is { } warned && warned != FailoverWindow.TokenWarningMs(t))
            findings.Add($"the token warning came at {warned} ms where token_warning {t.TokenWarningPercent}% of {t.Token} ms predicts {FailoverWindow.TokenWarningMs(t)} ms.");
        if (IsFailure(c) && c.ProcessorFailed is null && c.TokenWarning is not null)
            findings.Add("this node did not declare the failure itself (no \"A processor failed\"): another survivor's join brought it into the new ring, timed from that survivor's earlier last token.");
        if (c.WasQuorate == true && c.Quorate == false)
            findings.Add("this node lost quorum here (non-primary component): with fencing it would have fenced itself.");
        else if (c.WasQuorate == false && c.Quorate == true)
            findings.Add("this node regained quorum here (primary component).");
        foreach (var e in c.Timeline.Where(e => e.What.Contains("not scheduled", StringComparison.Ordinal) || e.What.Contains("Process pause", StringComparison.Ordinal)))
            findings.Add($"line {e.Line}: corosync itself was paused ({e.What.Split(". ")[0]}): a local stall, not the network, may have cost the token.");

        bool? asPredicted = null;
        if (total is { } measured && IsFailure(c))
        {
            asPredicted = window.Contains(measured, resolution, SlackMs);
            if (asPredicted == false)
                findings.Add(measured > window.HighMs
                    ? string.Create(inv, $"the change took {Seconds(measured - window.HighMs)} longer than the timeouts explain: look for retransmissions, a node slow to join, or a pause in this log.")
                    : string.Create(inv, $"the change came {Seconds(window.LowMs - measured)} sooner than the timeouts allow: the node ran shorter timeouts than predicted, or the fault started before the time given."));
        }

        var who = c.Failed.Count > 0 ? $"node{Plural(c.Failed)} {Join(c.Failed)} failed"
            : c.Left.Count > 0 ? $"node{Plural(c.Left)} {Join(c.Left)} left"
            : c.Joined.Count > 0 ? $"node{Plural(c.Joined)} {Join(c.Joined)} joined"
            : "the ring re-formed with the same members";
        string summary;
        if (total is { } tm && IsFailure(c))
        {
            var predicted = window.LowMs == window.HighMs
                ? string.Create(inv, $"{Seconds(window.HighMs)}")
                : string.Create(inv, $"{window.LowMs / 1000.0:0.0}-{window.HighMs / 1000.0:0.0} s");
            summary = string.Create(inv,
                $"{Capital(who)}: declared failed {Seconds(tm)} after {(givenFault is not null ? "the fault" : "the last token seen")}; token {t.Token} + consensus {t.Consensus} predicts {predicted}: {(asPredicted == true ? "as predicted" : "NOT as predicted")}.");
        }
        else if (IsFailure(c))
            summary = $"{Capital(who)}; the log has no times to measure the failover with (logging.timestamp: hires gives them).";
        else
            summary = Capital(who) + (sync is { } s ? string.Create(inv, $"; service synchronization took {Seconds(s)}.") : ".");
        return new(c, fault, faultSource, lastToFailed, consensusWait, total, sync, window.LowMs, window.HighMs, asPredicted, summary, findings);
    }

    internal static string Seconds(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms / 1000.0:0.000} s");

    private static string Plural(IReadOnlyList<uint> ids) => ids.Count == 1 ? "" : "s";

    private static string Join(IReadOnlyList<uint> ids) => string.Join(' ', ids);

    private static string Capital(string s) => char.ToUpperInvariant(s[0]) + s[1..];
}
