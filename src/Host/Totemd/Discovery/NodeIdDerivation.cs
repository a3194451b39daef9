using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd.Discovery;

/// <summary>
/// Node ids for nodes the config gives no nodeid. Corosync (exec/totemconfig.c, generate_nodeid) does
/// this only for the udp/udpu transports: the ring0 IPv4 address read as a big-endian 32-bit number
/// (10.0.1.62 -> 0x0A00013E = 167772478), with the top bit cleared when totem.clear_node_high_bit is set;
/// IPv6 needs an explicit nodeid; knet always needs one. Our transport is udpu-like, so we follow udpu.
/// </summary>
public static class NodeIdDerivation
{
    public static NodeId FromIPv4(IPAddress address, bool clearHighBit)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"{address}: an IPv6 network requires that a node ID be specified", nameof(address));
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        var id = (uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3];
        if (clearHighBit) id &= 0x7FFF_FFFF;
        if (id == 0) throw new ArgumentException($"{address}: the address gives node id 0, which corosync reserves", nameof(address));
        return new NodeId(id);
    }

    /// <summary>
    /// The replica index from a compose container's reverse DNS name: "lab_node_3.lab_default" (compose v1)
    /// or "lab-node-3.lab_default" (v2) give 3. The index is the last '_' or '-' separated part of the first label.
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
