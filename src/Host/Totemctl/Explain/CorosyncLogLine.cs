namespace Totem.Host.Totemctl.Explain;

/// <summary>
/// One corosync log line, whatever the format it came in: <see cref="Time"/> as the log wrote it (local clock, no zone;
/// null when the log has no timestamps), <see cref="ResolutionMs"/> how fine that clock is (1000 for "Dec 07 14:29:48",
/// 1 for hires), <see cref="Subsystem"/> the trimmed "[TOTEM ]" tag (null when the line has none).
/// </summary>
public sealed record CorosyncLogLine(int LineNumber, DateTime? Time, double ResolutionMs, int? Pid, string? Subsystem, string Message);
