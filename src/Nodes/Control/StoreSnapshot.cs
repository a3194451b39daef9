using Totem.Protocol.Wire;

namespace Totem.Nodes.Control;

/// <summary>
/// The replicated store as /v1/status shows it: how many keys, the store's version and epoch (the ring its state was
/// last written or synchronized in while quorate), and whether a write asked of this node now would be multicast.
/// </summary>
public sealed record StoreSnapshot(int Keys, ulong Version, RingId Epoch, bool Quorate, bool Synchronized)
{
    /// <summary>Quorate in the current ring and synchronized in it: a write is sent, not refused at once.</summary>
    public bool Writable => Quorate && Synchronized;
}
