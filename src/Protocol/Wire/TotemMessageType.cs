namespace Totem.Protocol.Wire;

/// <summary>
/// The type byte of the wire header. The numbers are corosync's MESSAGE_TYPE_* values so that a packet
/// dump reads the same way in both worlds; a new message takes the next free number.
/// </summary>
public enum TotemMessageType : byte
{
    OrfToken = 0,
    Mcast = 1,
    MergeDetect = 2,
    Join = 3,
    CommitToken = 4,
    TokenHoldCancel = 5,
    /// <summary>corosync sends a leave as a join marked by a reserved sender; ours has its own type.</summary>
    Leave = 6,
}
