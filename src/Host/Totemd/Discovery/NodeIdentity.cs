using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd.Discovery;

/// <summary>
/// Node ids for nodes the config gives no nodeid. Corosync derives one only for udp/udpu (knet requires
/// nodeid): the IPv4 ring address as a big-endian number (exec/totemconfig.c generate_nodeid; the formula
/// lives in <see cref="NodeIdDerivation"/>); IPv6 needs an explicit nodeid. In containers, whose address
/// changes across a restart, the compose replica index from the reverse DNS name is used instead.
/// </summary>
public static class NodeIdentity
{
    public static NodeId FromAddress(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"{address}: an IPv6 network requires that a node ID be specified", nameof(address));
        var id = NodeIdDerivation.FromIPv4Address(address.ToString())
            ?? throw new ArgumentException($"{address} is not a dotted-quad IPv4 address", nameof(address));
        if (id.Value == 0) throw new ArgumentException($"{address} gives node id 0, which corosync reserves", nameof(address));
        return id;
    }

    /// <summary>
    /// The replica index from a compose container's reverse DNS name: "lab_node_3.lab_default" (compose v1)
    /// or "lab-node-3.lab_default" (v2) give 3: the last '_' or '-' separated part of the first label.
    /// </summary>
    public static bool TryReplicaIndex(string hostName, out NodeId id)
    {
        id = default;
        var label = hostName.Split('.', 2)[0];
        var cut = label.LastIndexOfAny(['_', '-']);
        if (cut < 0 || cut == label.Length - 1) return false;
        if (!uint.TryParse(label.AsSpan(cut + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index == 0)
            return false;
        id = new NodeId(index);
        return true;
    }
}
