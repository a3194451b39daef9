using Totem.Protocol.Store;

namespace Totem.Nodes;

/// <summary>
/// Where a node's replicated store keeps its state: the copy loaded at start (totemd's --state-dir snapshot, the
/// simulator's "disk" of a node it restarts) and the writer of each new one. The latest kept state outlives the
/// store's actor, so a restarted actor starts from what was kept, not from the copy of the process start.
/// </summary>
public sealed class StoreHosting
{
    private readonly Action<StoreState>? _persist;
    private readonly object _gate = new();
    private StoreState? _kept;

    /// <param name="kept">The state an earlier run kept, or null for an empty store.</param>
    /// <param name="persist">Writes a state durably (it returns once the state is on disk); null: kept in memory only.</param>
    public StoreHosting(StoreState? kept = null, Action<StoreState>? persist = null)
    {
        _kept = kept;
        _persist = persist;
    }

    /// <summary>The latest state kept, null when there is none.</summary>
    public StoreState? Kept
    {
        get { lock (_gate) return _kept; }
    }

    /// <summary>Keeps <paramref name="state"/>; returns once it is written (the store acknowledges nothing before).</summary>
    public void Keep(StoreState state)
    {
        lock (_gate)
        {
            _persist?.Invoke(state);
            _kept = state;
        }
    }
}
