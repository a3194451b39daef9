using Serilog;
using ILogger = Serilog.ILogger;
using Serilog.Core;
using Serilog.Events;

namespace Totem.Host.Totemd.Logging;

/// <summary>
/// A log for what is written before the daemon's log exists (Akka's lines while the node's ActorSystem
/// starts in the background, before the cluster file has said where and how to log): events wait here
/// and go to the daemon's log, in order, once <see cref="Attach"/> gives it; then straight through.
/// </summary>
public sealed class DeferredLog : ILogEventSink
{
    private readonly Lock _gate = new();
    private readonly Logger _logger;
    private List<LogEvent>? _pending = [];
    private ILogger? _target;

    public DeferredLog() => _logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(this).CreateLogger();

    /// <summary>Writes here; the daemon's log applies its own level and enrichment when the events reach it.</summary>
    public ILogger Logger => _logger;

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            if (_target is null)
            {
                _pending?.Add(logEvent);
                return;
            }
        }
        _target.Write(logEvent);
    }

    /// <summary>From now on events go to <paramref name="target"/>, those that waited first.</summary>
    public void Attach(ILogger target)
    {
        lock (_gate)
        {
            foreach (var e in _pending ?? []) target.Write(e);
            _pending = null;
            _target = target;
        }
    }
}
