using Totem.Nodes.Control;
using Totem.Nodes.Transport;

namespace Totem.Host.Totemd.Discovery;

/// <summary>
/// Keeps the node's <see cref="PeerTable"/> filled from a peer source, off the token path: resolution
/// runs on its own loop and only a finished answer replaces the table; a failed round keeps the last good one.
/// </summary>
public sealed class PeerDiscovery(IPeerSource source, PeerTable table, Serilog.ILogger log)
{
    private readonly Serilog.ILogger _log = log.ForContext(LogSubsystem.Property, LogSubsystem.Main);
    private bool _lastFailed;

    /// <summary>One resolution round; true when the table changed.</summary>
    public async Task<bool> RefreshOnceAsync(CancellationToken ct)
    {
        IReadOnlyDictionary<Totem.Protocol.Wire.NodeId, System.Net.IPEndPoint> answer;
        try
        {
            answer = await source.ResolveAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (!_lastFailed)
                _log.Warning("Peer discovery through {Source} failed, keeping the last {Count} known peers: {Reason}", source.Describe(), table.Snapshot.Count, ex.Message);
            _lastFailed = true;
            return false;
        }
        _lastFailed = false;
        var changed = table.Replace(answer);
        if (changed)
            _log.Information("Peers from {Source}: {Peers}", source.Describe(), string.Join(", ", answer.Select(p => $"{p.Key}={p.Value}")));
        await RefreshNamesAsync(answer, ct).ConfigureAwait(false);
        return changed;
    }

    /// <summary>Names only feed the status views: a lookup that fails keeps the names there were.</summary>
    private async Task RefreshNamesAsync(IReadOnlyDictionary<Totem.Protocol.Wire.NodeId, System.Net.IPEndPoint> answer, CancellationToken ct)
    {
        try
        {
            table.ReplaceNames(await source.NamesAsync(answer, ct).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _log.Debug("Peer names through {Source} not refreshed: {Reason}", source.Describe(), ex.Message);
        }
    }

    /// <summary>Refreshes every <paramref name="interval"/> until cancelled.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
                await RefreshOnceAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutdown.
        }
    }
}
