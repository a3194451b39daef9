using Totem.Protocol.Config;
using Totem.Protocol.Whatif;

namespace Totem.Nodes.Simulator.Whatif;

/// <summary>
/// What the advisor says about one configuration on one profile: the token rotations the engines saw (p50/p99/max) and
/// how far the worst stayed from the effective token; the spurious events per day the seeds measured, and the spurious
/// membership changes a year predicted from them (<see cref="SpuriousPerYear"/>); and what a real crash costs:
/// the time to the new membership (measured, and <see cref="FailoverWindow"/>'s prediction) and to the fencing of a
/// cut-off minority. Times in milliseconds.
/// </summary>
public sealed record WhatifReport(
    int Nodes,
    uint TokenMs,
    uint ConsensusMs,
    double VirtualHours,
    int Seeds,
    long Rotations,
    double RotationP50Ms,
    double RotationP99Ms,
    double RotationMaxMs,
    double MarginMs,
    int Stalls,
    int Bursts,
    double TokenLossesPerDay,
    double MembershipChangesPerDay,
    double QuorumLossesPerDay,
    double FencingsPerDay,
    double PredictedSpuriousPerYear,
    double? CrashNewMembershipMinMs,
    double? CrashNewMembershipMaxMs,
    uint PredictedNewMembershipLowMs,
    uint PredictedNewMembershipHighMs,
    double? MinorityMajorityMembershipMs,
    double? MinorityFencedMs)
{
    public static WhatifReport From(TotemTimeouts timeouts, NetworkProfile profile, IReadOnlyList<WhatifOutcome> outcomes, IReadOnlyList<FailoverSample> crashes, IReadOnlyList<FencingSample> cuts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(crashes);
        ArgumentNullException.ThrowIfNull(cuts);
        if (outcomes.Count == 0) throw new ArgumentException("a report needs at least one seed's run", nameof(outcomes));
        var gaps = Merged(outcomes, o => o.Gaps);
        var days = outcomes.Sum(o => o.Virtual.TotalDays);
        var window = FailoverWindow.FaultToNewMembership(timeouts);
        return new WhatifReport(
            timeouts.NodeCount, timeouts.Token, timeouts.Consensus, days * 24, outcomes.Count,
            gaps.Count, gaps.Quantile(0.5), gaps.Quantile(0.99), gaps.MaxMs, timeouts.Token - gaps.MaxMs,
            outcomes.Sum(o => o.Stalls), outcomes.Sum(o => o.Bursts),
            outcomes.Sum(o => o.TokenLosses) / days, outcomes.Sum(o => o.MembershipChanges) / days,
            outcomes.Sum(o => o.QuorumLosses) / days, outcomes.Sum(o => o.Fencings) / days,
            SpuriousPerYear(outcomes, profile, timeouts.Token),
            crashes.Count == 0 ? null : crashes.Min(c => c.FirstSurvivor.TotalMilliseconds),
            crashes.Count == 0 ? null : crashes.Max(c => c.LastSurvivor.TotalMilliseconds),
            window.LowMs, window.HighMs,
            cuts.Count == 0 ? null : cuts.Max(c => c.MajorityNewMembership.TotalMilliseconds),
            cuts.Count == 0 || cuts.Any(c => c.MinorityFenced is null) ? null : cuts.Max(c => c.MinorityFenced!.Value.TotalMilliseconds));
    }

    /// <summary>
    /// Spurious membership changes a year: the changes the seeds saw, per year, or the token losses predicted at this
    /// token (<see cref="SpuriousRate"/>: the tail of the network's own rotations extrapolated, plus the profile's stalls
    /// long enough to reach it), whichever is more. The one place for this estimate.
    /// </summary>
    public static double SpuriousPerYear(IReadOnlyList<WhatifOutcome> outcomes, NetworkProfile profile, uint tokenMs)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(profile);
        var observed = TimeSpan.FromTicks(outcomes.Sum(o => o.Virtual.Ticks));
        var measured = SpuriousRate.ObservedPerYear(outcomes.Sum(o => o.MembershipChanges), observed);
        var quiet = Merged(outcomes, o => o.QuietGaps);
        var predicted = SpuriousRate.TokenLossesPerYear(quiet, observed, tokenMs) + SpuriousRate.StallLossesPerYear(profile.Stalls, quiet.MaxMs, tokenMs);
        return Math.Max(measured, predicted);
    }

    private static GapHistogram Merged(IReadOnlyList<WhatifOutcome> outcomes, Func<WhatifOutcome, GapHistogram> which)
    {
        var all = new GapHistogram();
        foreach (var o in outcomes) all.Merge(which(o));
        return all;
    }
}
