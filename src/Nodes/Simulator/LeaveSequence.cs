using Totem.Actors;
using Totem.Nodes.Messages;

namespace Totem.Nodes.Simulator;

/// <summary>
/// A clean shutdown inside the simulation: leave, flush, stop, driven by replies. <see cref="TotemNode.LeaveAndStopAsync"/>
/// awaits Asks whose continuations run on the thread pool, and nothing may touch a simulated system from
/// another thread (it corrupts the event queue and breaks exact replay).
/// </summary>
internal sealed class LeaveSequence : ReceiveActor
{
    private readonly TotemNode _node;

    public LeaveSequence(TotemNode node)
    {
        _node = node;
        Receive<LeaveSent>(_ => _node.Wiring.Adapter.Tell(new FlushTransport(), Self));
        Receive<Flushed>(_ => _node.StopAfterLeave());
    }

    protected override void PreStart() => _node.Wiring.Ring.Tell(new LeaveRingCommand(), Self);
}
