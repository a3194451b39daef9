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
    /// The replica index from a container's reverse DNS name. A swarm task's name gives its slot:
    /// "totem_node.3.n5x0c1x1v9l0ad7mw2xhycb0v.totem_ring" gives 3 (see <see cref="TryParseSwarmTask"/>); the slot is
    /// what a replacement task keeps, its address and task id are not. A compose container's name gives its
    /// replica number: "lab_node_3.lab_default" (compose v1) or "lab-node-3.lab_default" (v2) give 3, the last '_'
    /// or '-' separated part of the first label.
    /// </summary>
    public static bool TryReplicaIndex(string hostName, out NodeId id)
    {
        id = default;
        if (TryParseSwarmTask(hostName, out _, out var slot))
        {
            id = new NodeId(slot);
            return true;
        }
        var label = hostName.Split('.', 2)[0];
        var cut = label.LastIndexOfAny(['_', '-']);
        if (cut < 0 || cut == label.Length - 1) return false;
        if (!uint.TryParse(label.AsSpan(cut + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index == 0)
            return false;
        id = new NodeId(index);
        return true;
    }

    /// <summary>Length of a swarm task id (swarmkit's identity.NewID: a 128-bit random number in base 36, zero-padded).</summary>
    public const int SwarmTaskIdLength = 25;

    /// <summary>
    /// A swarm task's reverse DNS name, SERVICE.SLOT.TASKID[.NETWORK], as Docker's embedded DNS answers it for a
    /// replicated service's task ("totem_node.3.n5x0c1x1v9l0ad7mw2xhycb0v.totem_ring"): the service ("totem_node") and
    /// the slot (3). A global service's task has a node id where the slot is, which is no number: not a replica.
    /// </summary>
    public static bool TryParseSwarmTask(string hostName, out string service, out uint slot)
    {
        service = "";
        slot = 0;
        var labels = hostName.Split('.');
        if (labels.Length < 3 || labels[0].Length == 0) return false;
        if (!uint.TryParse(labels[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index == 0) return false;
        if (labels[2].Length != SwarmTaskIdLength || !labels[2].All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c))) return false;
        service = labels[0];
        slot = index;
        return true;
    }
}
