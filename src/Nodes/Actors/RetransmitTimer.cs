using Totem.Actors;
using Totem.Nodes.Messages;

namespace Totem.Nodes.Actors;

/// <summary>
/// Owns the ring's timers (token loss, token warning, token retransmit, hold, join, consensus,
/// merge, downcheck) and turns them into messages. Each arming carries a generation so the ring can
/// tell an expiry that crossed a re-arm in the mailboxes from a live one.
/// </summary>
public sealed class RetransmitTimer : ReceiveActor
{
    private readonly NodeWiring _wiring;

    public RetransmitTimer(NodeWiring wiring)
    {
        _wiring = wiring;
        Receive<ArmTimer>(arm => Timers.StartSingleTimer(arm.Timer, new TimerFired(arm.Timer, arm.Generation), TimeSpan.FromMilliseconds(arm.DelayMs)));
        Receive<DisarmTimer>(disarm => Timers.Cancel(disarm.Timer));
        Receive<TimerFired>(fired => _wiring.Ring.Tell(fired));
    }
}
