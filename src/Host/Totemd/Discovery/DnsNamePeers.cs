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

    public string Describe() => $"dns_name {dnsName}";

    /// <summary>The id of the processor at <paramref name="address"/>; null when a reverse name has no replica index.</summary>
    public static async Task<NodeId?> IdentifyAsync(IPAddress address, NodeIdSource identity, IHostResolver resolver, CancellationToken ct)
    {
        if (identity == NodeIdSource.Address) return NodeIdentity.FromAddress(address);
        var name = await resolver.ReverseAsync(address, ct).ConfigureAwait(false);
        return name is not null && NodeIdentity.TryReplicaIndex(name, out var id) ? id : null;
    }
}
