using Totem.Protocol.Config.Reload;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Control;

/// <summary>
/// What `totemctl reload` gets back: the request (requester and id), the members of the ring when it was made, and
/// the answer of each member the ring delivered before the wait ended (a member that answered nothing is
/// <see cref="Missing"/>: it left, or the wait was too short).
/// </summary>
public sealed record ConfigReloadResult(NodeId Requester, uint RequestId, IReadOnlyList<NodeId> Members, IReadOnlyDictionary<NodeId, ReloadReported> Reports)
{
    public IReadOnlyList<NodeId> Missing => Members.Where(m => !Reports.ContainsKey(m)).ToList();

    /// <summary>Every member answered and none refused or failed to read its file.</summary>
    public bool AllTook => Missing.Count == 0 && Reports.Values.All(r => r.Outcome is ReloadOutcome.Applied or ReloadOutcome.Unchanged);
}
