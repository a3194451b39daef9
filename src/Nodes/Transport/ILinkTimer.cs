namespace Totem.Nodes.Transport;

/// <summary>
/// The clock and the alarm of a <see cref="LinkedTransport"/>'s heartbeat: the simulation's virtual time in a
/// simulation (so a seed replays its pings and link failures exactly), a monotonic clock and a timer in a process.
/// </summary>
public interface ILinkTimer
{
    /// <summary>Monotonic time since some fixed start.</summary>
    TimeSpan Now { get; }

    /// <summary>Runs <paramref name="action"/> once, <paramref name="delay"/> from now (on any thread).</summary>
    void After(TimeSpan delay, Action action);
}
