namespace Totem.Protocol.Wire;

/// <summary>A processor's identity on the ring (corosync's nodeid). Ring order is ascending node id.</summary>
public readonly record struct NodeId(uint Value) : IComparable<NodeId>
{
    public int CompareTo(NodeId other) => Value.CompareTo(other.Value);
    public static bool operator <(NodeId a, NodeId b) => a.Value < b.Value;
    public static bool operator >(NodeId a, NodeId b) => a.Value > b.Value;
    public static bool operator <=(NodeId a, NodeId b) => a.Value <= b.Value;
    public static bool operator >=(NodeId a, NodeId b) => a.Value >= b.Value;
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
