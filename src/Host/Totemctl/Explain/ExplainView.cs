using System.Globalization;

namespace Totem.Host.Totemctl.Explain;

/// <summary>`totemctl explain`'s text: each change's story line by line with the intervals, then its verdict.</summary>
public static class ExplainView
{
    public static void Write(TextWriter w, ExplainReport r)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(r);
        var inv = CultureInfo.InvariantCulture;
        var t = r.Timeouts;
        w.WriteLine(string.Create(inv, $"{r.Source}: {r.Changes.Count} membership change{(r.Changes.Count == 1 ? "" : "s")}; compared with {r.TimingSource}:"));
        w.WriteLine(string.Create(inv, $"  {t.NodeCount} nodes: token {t.Token} ms, consensus {t.Consensus} ms, hold {t.Hold} ms, token warning at {Totem.Protocol.Config.FailoverWindow.TokenWarningMs(t)} ms"));
        foreach (var e in r.Changes)
        {
            var c = e.Change;
            w.WriteLine();
            var members = c.Members is { } m ? $"; members {string.Join(' ', m)}" : "";
            var quorum = c.Quorate switch { true => "; quorate", false => "; NOT quorate", null => "" };
            w.WriteLine(string.Create(inv, $"Change {c.Index} at {Time(c.Formed.Time)}: ring {c.RingId}{members}{quorum}"));
            if (e.FaultAt is { } fault && e.FaultSource is { } why)
                w.WriteLine(string.Create(inv, $"  {Time(fault)}  fault: {why}"));
            foreach (var ev in c.Timeline)
            {
                var note = "";
                if (ev == c.ProcessorFailed && e.LastTokenToFailedMs is { } lf)
                    note = string.Create(inv, $"   [{LogExplainer.Seconds(lf)} after the last token; token {t.Token} ms]");
                else if (ev == c.Formed && e.ConsensusWaitMs is { } cw)
                    note = string.Create(inv, $"   [consensus wait {LogExplainer.Seconds(cw)}; consensus {t.Consensus} ms]");
                else if (ev == c.SyncCompleted && e.NewMembershipToSyncMs is { } s)
                    note = string.Create(inv, $"   [sync {LogExplainer.Seconds(s)}]");
                w.WriteLine(string.Create(inv, $"  {Time(ev.Time)}  {ev.What}{note}"));
            }
            w.WriteLine("  => " + e.Summary);
            foreach (var f in e.Findings) w.WriteLine("     " + f);
        }
        if (r.Unresolved.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Warnings that led to no membership change (near misses):");
            foreach (var ev in r.Unresolved) w.WriteLine(string.Create(inv, $"  line {ev.Line}  {Time(ev.Time)}  {ev.What}"));
        }
        if (r.Diagnostics.Count > 0)
        {
            w.WriteLine();
            w.WriteLine(string.Create(inv, $"{r.Diagnostics.Count} line{(r.Diagnostics.Count == 1 ? "" : "s")} skipped:"));
            foreach (var d in r.Diagnostics) w.WriteLine("  " + d);
        }
    }

    private static string Time(DateTime? t) => t is { } x ? x.ToString("MMM dd HH:mm:ss.fff", CultureInfo.InvariantCulture) : "(no time)          ";
}
