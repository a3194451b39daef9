using System.Net;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd.Discovery;

/// <summary>This process's place in the ring: its node id and the address its ring socket binds.</summary>
public sealed record LocalIdentity(NodeId NodeId, IPAddress BindAddress, string How);

/// <summary>
/// Picks which processor of the resolved peer set this process is, as corosync's find_local_node does:
/// by --nodeid, else by --bind, else the one entry whose address belongs to this machine. On one machine
/// running several nodes (127.0.0.1..5 all belong to it) --nodeid or --bind is required.
/// </summary>
public static class LocalNodeSelector
{
    public static LocalIdentity Select(
        IReadOnlyDictionary<NodeId, IPEndPoint> peers,
        uint? nodeIdFlag,
        IPAddress? bindFlag,
        IReadOnlyCollection<IPAddress> localAddresses)
    {
        if (nodeIdFlag is { } wanted)
        {
            var id = new NodeId(wanted);
            if (peers.TryGetValue(id, out var endpoint))
                return new LocalIdentity(id, bindFlag ?? endpoint.Address, "--nodeid");
            throw new LocalNodeException($"--nodeid {wanted}: no such node among the known processors ({Ids(peers)})");
        }
        if (bindFlag is not null)
        {
            var match = peers.Where(p => p.Value.Address.Equals(bindFlag)).ToList();
            return match.Count switch
            {
                1 => new LocalIdentity(match[0].Key, bindFlag, "--bind"),
                0 => throw new LocalNodeException($"--bind {bindFlag}: no processor has that address ({Addresses(peers)}); give --nodeid too"),
                _ => throw new LocalNodeException($"--bind {bindFlag}: several processors have that address; give --nodeid"),
            };
        }
        var local = peers.Where(p => localAddresses.Contains(p.Value.Address)).ToList();
        return local.Count switch
        {
            1 => new LocalIdentity(local[0].Key, local[0].Value.Address, "local address"),
            0 => throw new LocalNodeException($"none of the processors' addresses ({Addresses(peers)}) belongs to this machine; give --nodeid or --bind"),
            _ => throw new LocalNodeException(
                $"several processors' addresses belong to this machine ({string.Join(", ", local.Select(p => $"{p.Key}={p.Value.Address}"))}); give --nodeid or --bind"),
        };
    }

    private static string Ids(IReadOnlyDictionary<NodeId, IPEndPoint> peers) => string.Join(", ", peers.Keys);

    private static string Addresses(IReadOnlyDictionary<NodeId, IPEndPoint> peers) => string.Join(", ", peers.Values.Select(v => v.Address));
}

/// <summary>This process cannot tell which processor it is; the message says what to pass.</summary>
public sealed class LocalNodeException(string message) : Exception(message);
