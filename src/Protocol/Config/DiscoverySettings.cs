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
/// (compose's service name), instead of a static nodelist.
/// </summary>
/// <param name="DnsName"><c>dns_name</c>: the name to resolve; null = use the static nodelist.</param>
/// <param name="Port"><c>port</c>: the UDP port the peers listen on; default 5405.</param>
/// <param name="IntervalMs"><c>interval</c>: re-resolve every this many ms, in the background; default 2000.</param>
/// <param name="NodeIdSource"><c>nodeid_source</c>: address | reverse_dns_replica; default address.</param>
public sealed record DiscoverySettings(string? DnsName, ushort Port, uint IntervalMs, NodeIdSource NodeIdSource)
{
    public static DiscoverySettings Default { get; } = new(null, TotemInterface.DefaultPort, 2000, NodeIdSource.Address);
}
