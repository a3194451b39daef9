using System.Net;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd.Discovery;

/// <summary>One way of finding the ring's processors: a static nodelist or a DNS name.</summary>
public interface IPeerSource
{
    /// <summary>What the source says now; throws when it cannot answer (the caller keeps the last good answer).</summary>
    Task<IReadOnlyDictionary<NodeId, IPEndPoint>> ResolveAsync(CancellationToken ct);

    /// <summary>
    /// Host names for the processors of <paramref name="peers"/> that the source can name beyond the config (the nodelist's
    /// own names reach the status views directly); for status views only, so a failed lookup leaves a name out.
    /// </summary>
    Task<IReadOnlyDictionary<NodeId, string>> NamesAsync(IReadOnlyDictionary<NodeId, IPEndPoint> peers, CancellationToken ct);

    /// <summary>For log lines: "nodelist" or "dns_name lab_node".</summary>
    string Describe();
}
