using Totem.Protocol.Config;

namespace Totem.Host.Totemctl.Explain;

/// <summary>What `totemctl explain` found in one log: the timeouts it compared with, each change explained, the warnings that led to no change, and the lines it could not read.</summary>
public sealed record ExplainReport(
    string Source,
    string TimingSource,
    TotemTimeouts Timeouts,
    IReadOnlyList<ChangeExplanation> Changes,
    IReadOnlyList<StoryEvent> Unresolved,
    IReadOnlyList<LogDiagnostic> Diagnostics);
