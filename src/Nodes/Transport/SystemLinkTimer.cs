using System.Diagnostics;

namespace Totem.Nodes.Transport;

/// <summary>A process's <see cref="ILinkTimer"/>: a stopwatch, and thread-pool timers that stop with it.</summary>
public sealed class SystemLinkTimer : ILinkTimer, IDisposable
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();

    public TimeSpan Now => _clock.Elapsed;

    public void After(TimeSpan delay, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (_stop.IsCancellationRequested) return;
        _ = Task.Delay(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, _stop.Token)
            .ContinueWith(_ => action(), _stop.Token, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
