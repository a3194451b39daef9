using Totem.Protocol.Wire;

namespace Totem.Protocol.Srp;

/// <summary>The processor-set arithmetic of the membership protocol (memb_set_* in corosync): lists used as sets.</summary>
internal static class NodeSets
{
    public static bool SetEqual(IReadOnlyCollection<NodeId> a, IReadOnlyCollection<NodeId> b) =>
        a.Count == b.Count && IsSubset(a, b) && IsSubset(b, a);

    public static bool IsSubset(IEnumerable<NodeId> subset, IReadOnlyCollection<NodeId> fullset)
    {
        foreach (var node in subset)
            if (!fullset.Contains(node)) return false;
        return true;
    }

    public static void SetMerge(List<NodeId> into, NodeId node)
    {
        if (!into.Contains(node)) into.Add(node);
    }

    public static void SetMerge(List<NodeId> into, IEnumerable<NodeId> nodes)
    {
        foreach (var node in nodes) SetMerge(into, node);
    }

    public static List<NodeId> Subtract(IEnumerable<NodeId> from, IReadOnlyCollection<NodeId> remove) =>
        from.Where(n => !remove.Contains(n)).ToList();

    public static ValueList<NodeId> Sorted(IEnumerable<NodeId> nodes) => nodes.Distinct().OrderBy(n => n).ToValueList();

    public static string Print(IEnumerable<NodeId> nodes) => string.Join(" ", nodes.OrderBy(n => n));
}
