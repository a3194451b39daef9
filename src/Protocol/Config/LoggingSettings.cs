namespace Totem.Protocol.Config;

public enum LogDebug { Off, On, Trace }

public enum LogTimestamp { Off, On, Hires }

/// <summary>
/// The logging { } section (corosync.conf(5)). Defaults as corosync: syslog and stderr on,
/// no log file, debug off, hires timestamps, no file:line.
/// </summary>
public sealed record LoggingSettings(
    bool ToLogfile,
    string? Logfile,
    bool ToSyslog,
    bool ToStderr,
    LogDebug Debug,
    LogTimestamp Timestamp,
    bool Fileline)
{
    public static LoggingSettings Default { get; } = new(false, null, true, true, LogDebug.Off, LogTimestamp.Hires, false);
}
