using System.Net;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd.Discovery;

/// <summary>One redundant link of a ring found by DNS: where this node's socket binds, the peers' table, and the loop that keeps it filled.</summary>
public sealed record DiscoveredLink(uint LinkNumber, IPEndPoint BindTo, PeerTable Peers, PeerDiscovery Discovery);

/// <summary>
/// discovery.ring1_dns_name .. ring7_dns_name: each redundant link's peers resolved as link 0's are (<see cref="DnsNamePeers"/>
/// on the link's name and port, ids from the same <c>nodeid_source</c>), so a replica has one id on every link: in compose
/// the reverse name of its address on the link's network (PROJECT-node-3.PROJECT_ring1) gives the same replica index as on
/// ring0. This node's socket on the link binds its own address in the link's answer, which may lag the container's start,
/// so the first answer that holds this node is awaited, as link 0's is.
/// </summary>
public static class DiscoveredLinks
{
    public static async Task<IReadOnlyList<DiscoveredLink>> ResolveAsync(
        ClusterConfig config, NodeId local, IHostResolver resolver, Serilog.ILogger log, Action<string> waiting, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(config);
        var discovery = config.Discovery;
        if (discovery.DnsName is null) return [];
        var links = new List<DiscoveredLink>();
        foreach (var (link, name) in discovery.LinkDnsNames)
        {
            var source = new DnsNamePeers(name, discovery.LinkPort(config.Totem, link), discovery.NodeIdSource, resolver);
            var (answer, self) = await FirstAnswerHoldingAsync(source, local, link, waiting, ct).ConfigureAwait(false);
            var table = new PeerTable();
            table.Replace(answer);
            links.Add(new DiscoveredLink(link, self, table, new PeerDiscovery(source, table, log)));
        }
        return links;
    }

    private static async Task<(IReadOnlyDictionary<NodeId, IPEndPoint>, IPEndPoint)> FirstAnswerHoldingAsync(
        DnsNamePeers source, NodeId local, uint link, Action<string> waiting, CancellationToken ct)
    {
        string? lastProblem = null;
        for (var attempt = 0; ; attempt++)
        {
            string problem;
            try
            {
                var answer = await source.ResolveAsync(ct).ConfigureAwait(false);
                if (answer.TryGetValue(local, out var self)) return (answer, self);
                problem = $"link {link}: node {local} is not among {source.Describe()}'s processors ({string.Join(", ", answer.Select(p => $"{p.Key}={p.Value.Address}"))}) yet";
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                problem = $"link {link}: {ex.Message}";
            }
            if (problem != lastProblem) waiting(problem);
            lastProblem = problem;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 200 * (attempt + 1))), ct).ConfigureAwait(false);
        }
    }
}
