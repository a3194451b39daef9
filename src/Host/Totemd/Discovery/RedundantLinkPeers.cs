using System.Net;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd.Discovery;

/// <summary>
/// knet's links 1..7 of a static nodelist: for each link every node's ringN_addr (resolved as ring0_addr is) on the
/// link's port, and this node's own ringN_addr as its socket's address. Node ids are the nodelist's, or derived from
/// ring0_addr as <see cref="StaticNodelistPeers"/> derives them, so every link names each node alike.
/// </summary>
public static class RedundantLinkPeers
{
    public static async Task<IReadOnlyList<UdpLink>> ResolveAsync(ClusterConfig config, NodeId local, IHostResolver resolver, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(resolver);
        var numbers = config.Nodelist.SelectMany(n => n.LinkNumbers).Where(l => l != 0).Distinct().Order().ToList();
        if (numbers.Count == 0 || config.Discovery.DnsName is not null) return [];
        var ids = new List<NodeId>();
        foreach (var node in config.Nodelist)
            ids.Add(node.NodeId ?? NodeIdentity.FromAddress(await StaticNodelistPeers.ResolveEntryAsync(node, resolver, ct).ConfigureAwait(false)));
        var links = new List<UdpLink>();
        foreach (var link in numbers)
        {
            var port = ClusterConfigValidator.LinkPort(config.Totem, link);
            var peers = new SortedDictionary<NodeId, IPEndPoint>();
            IPEndPoint? bindTo = null;
            for (var i = 0; i < config.Nodelist.Count; i++)
            {
                var node = config.Nodelist[i];
                var name = node.AddressOf(link)
                    ?? throw new InvalidOperationException($"nodelist line {node.Line}: node {ids[i]} has no ring{link}_addr (every node needs an address on every link)");
                var endpoint = new IPEndPoint(await StaticNodelistPeers.ResolveAddressAsync(name, link, node, resolver, ct).ConfigureAwait(false), port);
                peers[ids[i]] = endpoint;
                if (ids[i] == local) bindTo = endpoint;
            }
            if (bindTo is null) throw new InvalidOperationException($"node {local} is not in the nodelist: no ring{link}_addr to bind link {link} to");
            var table = new PeerTable();
            table.Replace(peers);
            links.Add(new UdpLink(link, bindTo, table));
        }
        return links;
    }
}
