using System.Globalization;
using Serilog;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Core;
using Serilog.Events;
using Totem.Nodes.Control;

namespace Totem.Host.Totemd.Logging;

/// <summary>
/// Log lines shaped like corosync's ("Nov 21 23:59:01.123 [TOTEM ] A new membership (1.2c) was formed...")
/// so the lines admins already grep for look the same; warnings and errors carry a level word.
/// </summary>
public static class CorosyncLog
{
    public const string Template = "{Timestamp:MMM dd HH:mm:ss.fff} [{" + LogSubsystem.Property + ",-6:l}] {LevelTag:l}{Message:lj}{NewLine}{Exception}";

    public static ITextFormatter Formatter { get; } = new MessageTemplateTextFormatter(Template, CultureInfo.InvariantCulture);

    /// <summary>Console always (stderr stays free for fatal startup errors); the file too when logging.to_logfile asks.</summary>
    public static Logger Create(string? logFile, bool debug)
    {
        var config = Configure(new LoggerConfiguration(), debug).WriteTo.Console(Formatter);
        if (!string.IsNullOrEmpty(logFile)) config = config.WriteTo.File(Formatter, logFile);
        return config.CreateLogger();
    }

    /// <summary>Level and enrichment shared by every sink, so a test sink sees exactly what the console sees.</summary>
    public static LoggerConfiguration Configure(LoggerConfiguration config, bool debug) =>
        config.MinimumLevel.Is(debug ? LogEventLevel.Debug : LogEventLevel.Information)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.With(new DefaultsEnricher());

    private sealed class DefaultsEnricher : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory factory)
        {
            logEvent.AddPropertyIfAbsent(factory.CreateProperty(LogSubsystem.Property, LogSubsystem.Main));
            var tag = logEvent.Level switch
            {
                LogEventLevel.Warning => "warning: ",
                LogEventLevel.Error => "error: ",
                LogEventLevel.Fatal => "crit: ",
                _ => "",
            };
            logEvent.AddPropertyIfAbsent(factory.CreateProperty("LevelTag", tag));
        }
    }
}
