using System.Net;
using System.Net.Sockets;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd.Discovery;

/// <summary>
/// discovery { dns_name: NAME }: every IPv4 address NAME resolves to is a processor (compose's service
/// name resolves to all running replicas). Ids come from the address or, with <see cref="NodeIdSource.ReverseDnsReplica"/>,
/// from each address's reverse name; an address whose reverse name gives no index is left out of this answer.
/// </summary>
public sealed class DnsNamePeers(string dnsName, int port, NodeIdSource identity, IHostResolver resolver) : IPeerSource
{
    // Only the discovery loop calls NamesAsync, one round at a time.
    private readonly Dictionary<IPAddress, string?> _reverseNames = [];

    public async Task<IReadOnlyDictionary<NodeId, IPEndPoint>> ResolveAsync(CancellationToken ct)
    {
        var addresses = await resolver.ResolveAsync(dnsName, ct).ConfigureAwait(false);
        var peers = new SortedDictionary<NodeId, IPEndPoint>();
        foreach (var address in addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Distinct())
        {
            var id = await IdentifyAsync(address, identity, resolver, ct).ConfigureAwait(false);
            if (id is { } known) peers[known] = new IPEndPoint(address, port);
        }
        if (peers.Count == 0) throw new InvalidOperationException($"dns_name {dnsName} gave no usable IPv4 address");
        return peers;
    }

    /// <summary>
    /// Each address's reverse name, short form (compose: "lab-node-3.lab_default" gives "lab-node-3"; swarm:
    /// "totem_node.3.TASKID.totem_ring" gives "totem_node.3"), as pvecm shows
    /// node names. Looked up once per address and forgotten when the address leaves the answer, so a fenced container's
    /// address taken by another replica is named again.
    /// </summary>
    public async Task<IReadOnlyDictionary<NodeId, string>> NamesAsync(IReadOnlyDictionary<NodeId, IPEndPoint> peers, CancellationToken ct)
    {
        var current = peers.Values.Select(e => e.Address).ToHashSet();
        foreach (var gone in _reverseNames.Keys.Where(a => !current.Contains(a)).ToList()) _reverseNames.Remove(gone);
        var names = new SortedDictionary<NodeId, string>();
        foreach (var (id, endpoint) in peers)
        {
            if (!_reverseNames.TryGetValue(endpoint.Address, out var name))
            {
                name = ShortName(await resolver.ReverseAsync(endpoint.Address, ct).ConfigureAwait(false));
                _reverseNames[endpoint.Address] = name;
            }
            if (name is not null) names[id] = name;
        }
        return names;
    }

    /// <summary>
    /// The first label of a host name; null for none. A swarm task is named as `docker service ps` shows it,
    /// SERVICE.SLOT ("totem_node.3"): its first label alone is the service, the same for every task.
    /// </summary>
    public static string? ShortName(string? hostName)
    {
        if (string.IsNullOrWhiteSpace(hostName)) return null;
        if (NodeIdentity.TryParseSwarmTask(hostName, out var service, out var slot))
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{service}.{slot}");
        var dot = hostName.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? hostName[..dot] : hostName;
    }

    public string Describe() => $"dns_name {dnsName}";

    /// <summary>The id of the processor at <paramref name="address"/>; null when a reverse name has no replica index.</summary>
    public static async Task<NodeId?> IdentifyAsync(IPAddress address, NodeIdSource identity, IHostResolver resolver, CancellationToken ct)
    {
        if (identity == NodeIdSource.Address) return NodeIdentity.FromAddress(address);
        var name = await resolver.ReverseAsync(address, ct).ConfigureAwait(false);
        return name is not null && NodeIdentity.TryReplicaIndex(name, out var id) ? id : null;
    }
}
