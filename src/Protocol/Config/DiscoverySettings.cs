using Totem.Protocol.Wire;

namespace Totem.Protocol.Config;

/// <summary>How a node without a configured nodeid picks one.</summary>
public enum NodeIdSource
{
    /// <summary>From the node's IPv4 address, as corosync does for udp/udpu (a.b.c.d -> big-endian u32).</summary>
    Address,

    /// <summary>From the replica index in the name a reverse lookup of the node's own address gives (compose's "project-node-3").</summary>
    ReverseDnsReplica,
}

/// <summary>
/// Our discovery { } section: find peers by resolving one DNS name to every node's address
/// (compose's service name), instead of a static nodelist. Redundant links (issue 13) are found the same way,
/// one name per link (<c>ring1_dns_name</c> .. <c>ring7_dns_name</c>, as the nodelist's ring1_addr .. ring7_addr):
/// in compose, the service's alias on the link's own network, which resolves to every replica's address there.
/// </summary>
/// <param name="DnsName"><c>dns_name</c>: the name to resolve; null = use the static nodelist.</param>
/// <param name="Port"><c>port</c>: the UDP port the peers listen on; default 5405.</param>
/// <param name="IntervalMs"><c>interval</c>: re-resolve every this many ms, in the background; default 2000.</param>
/// <param name="NodeIdSource"><c>nodeid_source</c>: address | reverse_dns_replica; default address.</param>
public sealed record DiscoverySettings(string? DnsName, ushort Port, uint IntervalMs, NodeIdSource NodeIdSource)
{
    /// <summary><c>ringN_dns_name</c> for links 1..7 (link 0 is <see cref="DnsName"/>), by link number.</summary>
    public ValueList<LinkAddress> LinkDnsNames { get; init; } = ValueList<LinkAddress>.Empty;

    /// <summary>Every link the names give: 0 (<see cref="DnsName"/>) and each <c>ringN_dns_name</c>.</summary>
    public IEnumerable<uint> LinkNumbers => (DnsName is null ? [] : new[] { 0u }).Concat(LinkDnsNames.Select(l => l.LinkNumber));

    /// <summary>Link N's name: <see cref="DnsName"/> for 0, else its <c>ringN_dns_name</c>; null when the link has none.</summary>
    public string? DnsNameOf(uint link) => link == 0 ? DnsName : LinkDnsNames.FirstOrDefault(l => l.LinkNumber == link)?.Address;

    /// <summary>
    /// Link N's UDP port without a nodelist: link 0 is <see cref="Port"/>; another link is its interface block's mcastport,
    /// else <see cref="Port"/> + N (knet's 5405 + linknumber, counted from the port this section gives link 0).
    /// </summary>
    public ushort LinkPort(TotemSettings totem, uint link)
    {
        ArgumentNullException.ThrowIfNull(totem);
        if (link == 0) return Port;
        return totem.Interfaces.FirstOrDefault(i => i.LinkNumber == link)?.McastPort ?? (ushort)Math.Min(ushort.MaxValue, Port + link);
    }

    public static DiscoverySettings Default { get; } = new(null, TotemInterface.DefaultPort, 2000, NodeIdSource.Address);
}
