namespace Totem.Protocol.Quorum;

/// <summary>
/// The flags a node-info message carries (votequorum's NODE_FLAGS_*; same bit values, so a
/// capture compares directly with corosync's). Quorum-device bits are not implemented.
/// </summary>
[Flags]
public enum NodeInfoFlags : uint
{
    None = 0,
    Quorate = 1,
    Leaving = 2,
    /// <summary>The sender is still waiting for all nodes (wait_for_all has not been satisfied).</summary>
    WaitForAllStatus = 4,
    /// <summary>The sender has never been in a ring with another node since it started.</summary>
    First = 8,
}
