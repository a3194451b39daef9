namespace Totem.Protocol.Srp;

/// <summary>
/// Timers the engine asks its host for. Starting a timer that runs replaces it; the host must
/// never report an expiry of an instance that was stopped or replaced.
/// </summary>
public enum SrpTimer
{
    TokenLoss,
    TokenWarning,
    TokenRetransmit,
    TokenHold,
    Join,
    Consensus,
    Merge,
    Downcheck,
    /// <summary>corosync's pause timer (token / 5): records that the node's own processing is alive (<see cref="PauseDetector"/>).</summary>
    Pause,
}
