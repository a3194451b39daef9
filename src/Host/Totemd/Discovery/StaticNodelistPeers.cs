using System.Net;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd.Discovery;

/// <summary>
/// The nodelist { node { ring0_addr; nodeid } } of the config. Addresses may be host names, resolved
/// like any other name (in the background); entries without nodeid get the address-derived one.
/// </summary>
public sealed class StaticNodelistPeers(IReadOnlyList<NodeEntry> nodes, int port, IHostResolver resolver) : IPeerSource
{
    public async Task<IReadOnlyDictionary<NodeId, IPEndPoint>> ResolveAsync(CancellationToken ct)
    {
        var peers = new SortedDictionary<NodeId, IPEndPoint>();
        foreach (var node in nodes)
        {
            var address = await ResolveEntryAsync(node, resolver, ct).ConfigureAwait(false);
            var id = node.NodeId ?? NodeIdentity.FromAddress(address);
            if (!peers.TryAdd(id, new IPEndPoint(address, port)))
                throw new InvalidOperationException($"nodelist line {node.Line}: node id {id} appears twice in the nodelist");
        }
        return peers;
    }

    public Task<IReadOnlyDictionary<NodeId, string>> NamesAsync(IReadOnlyDictionary<NodeId, IPEndPoint> peers, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<NodeId, string>>(new Dictionary<NodeId, string>());

    public string Describe() => $"nodelist ({nodes.Count} nodes)";

    /// <summary>The first IPv4 address of a nodelist entry's ring0_addr (IPv6 when it has no IPv4 one).</summary>
    public static async Task<IPAddress> ResolveEntryAsync(NodeEntry node, IHostResolver resolver, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(node.RingAddress))
            throw new InvalidOperationException($"nodelist line {node.Line}: node {node.Name ?? node.NodeId?.ToString() ?? "?"} has no ring0_addr");
        return await ResolveAddressAsync(node.RingAddress, 0, node, resolver, ct).ConfigureAwait(false);
    }

    /// <summary>The first IPv4 address of a nodelist entry's ring<paramref name="link"/>_addr <paramref name="name"/> (IPv6 when it has no IPv4 one).</summary>
    public static async Task<IPAddress> ResolveAddressAsync(string name, uint link, NodeEntry node, IHostResolver resolver, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(resolver);
        var addresses = await resolver.ResolveAsync(name, ct).ConfigureAwait(false);
        return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"nodelist line {node.Line}: ring{link}_addr {name} resolves to no address");
    }
}
