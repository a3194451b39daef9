namespace Totem.Protocol.Wire;

/// <summary>
/// A ring's identity: its representative (lowest node id of the ring) and a sequence that only grows.
/// Printed the way corosync prints it in "A new membership (1.2c) was formed": both parts in hex.
/// </summary>
public readonly record struct RingId(NodeId Representative, ulong Seq)
{
    public override string ToString() => $"{Representative.Value:x}.{Seq:x}";
}
