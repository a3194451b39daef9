namespace Totem.Actors.Dispatch;

/// <summary>Something the simulation runs at a virtual instant. The token tells a stale queue entry from a live one.</summary>
internal abstract class SimulationEvent
{
    public virtual bool IsLive(long token) => true;

    public abstract void Fire(long token);

    /// <summary>One trace line's subject; called only when tracing, just before <see cref="Fire"/>.</summary>
    public abstract string Describe();
}
