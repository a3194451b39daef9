using System.Runtime.InteropServices;

namespace Totem.Host.Control;

/// <summary>
/// SIGTERM and SIGINT (docker stop, Ctrl-C) cancel <see cref="Token"/> instead of ending the process, so a host
/// finishes on its own terms (totemd leaves the ring, the dashboard closes its pages and its ActorSystem).
/// </summary>
public sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _sigterm;
    private readonly PosixSignalRegistration _sigint;

    public ShutdownSignals()
    {
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    /// <summary>Cancelled at the first SIGTERM or SIGINT.</summary>
    public CancellationToken Token => _stop.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }

    public void Dispose()
    {
        _sigterm.Dispose();
        _sigint.Dispose();
        _stop.Dispose();
    }
}
