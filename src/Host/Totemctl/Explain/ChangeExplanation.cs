namespace Totem.Host.Totemctl.Explain;

/// <summary>
/// A membership change with its intervals measured (milliseconds, null when the log cannot give them) and what the
/// timeouts predict. <see cref="FaultAt"/> is the fault time the intervals count from: the one given, or the last token
/// the node saw (inferred from "Token has not been received in N ms"), as <see cref="FaultSource"/> says.
/// </summary>
public sealed record ChangeExplanation(
    MembershipChange Change,
    DateTime? FaultAt,
    string? FaultSource,
    double? LastTokenToFailedMs,
    double? ConsensusWaitMs,
    double? FaultToNewMembershipMs,
    double? NewMembershipToSyncMs,
    uint PredictedLowMs,
    uint PredictedHighMs,
    bool? AsPredicted,
    string Summary,
    IReadOnlyList<string> Findings);
