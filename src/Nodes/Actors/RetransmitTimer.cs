using Akka.Actor;
using Totem.Nodes.Messages;
using Totem.Protocol.Srp;

namespace Totem.Nodes.Actors;

/// <summary>
/// The protocol timers an actor owns (TokenHolder's or Membership's) on its keyed timers: one key per <see cref="SrpTimer"/>; starting a timer
/// replaces its previous arming and stopping cancels it, and Akka drops an expiry of an arming that was replaced
/// or cancelled even when it is already in the mailbox.
/// </summary>
public sealed class RetransmitTimer
{
    private static readonly object[] Keys = Enum.GetValues<SrpTimer>().Select(t => (object)t).ToArray();
    private static readonly RingTimerExpired[] Expiries = Enum.GetValues<SrpTimer>().Select(t => new RingTimerExpired(t)).ToArray();
    private readonly ITimerScheduler _timers;

    public RetransmitTimer(ITimerScheduler timers) => _timers = timers;

    public void Start(SrpTimer timer, uint delayMs) =>
        _timers.StartSingleTimer(Keys[(int)timer], Expiries[(int)timer], TimeSpan.FromMilliseconds(delayMs));

    public void Stop(SrpTimer timer) => _timers.Cancel(Keys[(int)timer]);

    public bool IsActive(SrpTimer timer) => _timers.IsTimerActive(Keys[(int)timer]);

    /// <summary>
    /// Carries out a <see cref="StartTimer"/> or <see cref="StopTimer"/> (an engine's output or an item of a
    /// Membership batch); false, doing nothing, for any other item, which is the caller's to handle.
    /// </summary>
    public bool TryApply(object item)
    {
        switch (item)
        {
            case StartTimer start:
                Start(start.Timer, start.DelayMs);
                return true;
            case StopTimer stop:
                Stop(stop.Timer);
                return true;
            default:
                return false;
        }
    }
}
