using Totem.Actors.Cells;

namespace Totem.Actors.Dispatch;

internal sealed class SimulationDispatcher(Simulation simulation) : Dispatcher
{
    public override TimeProvider TimeProvider => simulation.TimeProvider;

    public override Mailbox CreateMailbox(ActorCell cell) => new SimulationMailbox(cell, simulation);
}
