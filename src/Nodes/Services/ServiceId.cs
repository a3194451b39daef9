namespace Totem.Nodes.Services;

/// <summary>
/// Which service a ring message belongs to, as corosync's services share one ordered stream:
/// application messages (what cpg carries), votequorum's node-info exchange and the service synchronization
/// (corosync's sync group) and the cfg service's reloads. The synchronization runs the services in id order.
/// </summary>
public enum ServiceId : byte
{
    Application = 0,
    VoteQuorum = 1,
    Sync = 2,

    /// <summary>corosync's cfg service: config reload requests and every member's answer.</summary>
    Cfg = 3,

    /// <summary>
    /// The replicated configuration store (pmxcfs): synchronized after votequorum, so the ring's verdict is in before
    /// the store's summaries say whether the ring is quorate.
    /// </summary>
    Store = 4,
}
