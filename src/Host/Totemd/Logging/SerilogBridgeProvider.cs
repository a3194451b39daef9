using Microsoft.Extensions.Logging;
using Totem.Nodes.Control;
using MelLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Totem.Host.Totemd.Logging;

/// <summary>Routes ASP.NET Core's own warnings and errors into the node's Serilog log, tagged MAIN.</summary>
public sealed class SerilogBridgeProvider(Serilog.ILogger log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Bridge(log.ForContext(LogSubsystem.Property, LogSubsystem.Main));

    public void Dispose()
    {
    }

    private sealed class Bridge(Serilog.ILogger log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(MelLevel logLevel) => logLevel >= MelLevel.Warning;

        public void Log<TState>(MelLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var level = logLevel >= MelLevel.Error ? Serilog.Events.LogEventLevel.Error : Serilog.Events.LogEventLevel.Warning;
            log.Write(level, exception, "control API: {Text}", formatter(state, exception));
        }
    }
}
