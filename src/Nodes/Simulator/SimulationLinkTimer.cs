using Totem.Nodes.Transport;

namespace Totem.Nodes.Simulator;

/// <summary>The link heartbeat's clock in a simulation: virtual time, and alarms as simulation events.</summary>
public sealed class SimulationLinkTimer(Simulation simulation) : ILinkTimer
{
    public TimeSpan Now => simulation.Elapsed;

    public void After(TimeSpan delay, Action action) => simulation.Schedule(delay, action, "link heartbeat");
}
