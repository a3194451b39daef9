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
    public static Logger Create(string? logFile, bool debug) =>
        Create(logFile, debug ? LogEventLevel.Debug : LogEventLevel.Information, Formatter, observer: null).Logger;

    /// <summary>
    /// The daemon's log. With an <paramref name="observer"/> (the start-up phases) the pipeline runs at
    /// Debug until <see cref="Created.EndObservation"/>, because the phase "first join sent" is a debug
    /// line of the node; the console and the file still show only <paramref name="level"/> and above.
    /// </summary>
    public static Created Create(string? logFile, LogEventLevel level, ITextFormatter formatter, ILogEventSink? observer)
    {
        var pipeline = new LoggingLevelSwitch(observer is null ? level : Min(level, LogEventLevel.Debug));
        var config = Configure(new LoggerConfiguration(), pipeline).WriteTo.Console(formatter, restrictedToMinimumLevel: level);
        if (!string.IsNullOrEmpty(logFile)) config = config.WriteTo.File(formatter, logFile, restrictedToMinimumLevel: level);
        if (observer is not null) config = config.WriteTo.Sink(observer);
        return new Created(config.CreateLogger(), pipeline, level);
    }

    /// <summary>The formatter of logging.format: corosync's lines, or one JSON object per event.</summary>
    public static ITextFormatter FormatterFor(bool json) => json ? new Serilog.Formatting.Json.JsonFormatter(renderMessage: true) : Formatter;

    private static LogEventLevel Min(LogEventLevel a, LogEventLevel b) => a < b ? a : b;

    /// <summary>A logger and the switch that ends the start-up observation.</summary>
    public sealed class Created(Logger logger, LoggingLevelSwitch pipeline, LogEventLevel level) : IAsyncDisposable
    {
        public Logger Logger { get; } = logger;

        /// <summary>Back to the configured level: debug events are no longer built for nobody.</summary>
        public void EndObservation() => pipeline.MinimumLevel = level;

        public ValueTask DisposeAsync() => Logger.DisposeAsync();
    }

    /// <summary>Level and enrichment shared by every sink, so a test sink sees exactly what the console sees.</summary>
    public static LoggerConfiguration Configure(LoggerConfiguration config, bool debug) =>
        Configure(config, new LoggingLevelSwitch(debug ? LogEventLevel.Debug : LogEventLevel.Information));

    private static LoggerConfiguration Configure(LoggerConfiguration config, LoggingLevelSwitch level) =>
        config.MinimumLevel.ControlledBy(level)
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
