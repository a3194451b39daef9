using System.Net;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Udp;

/// <summary>
/// Without a nodelist (DNS discovery, as in the compose lab) `totemctl status` and `members` still show each node's name
/// and address as pvecm does: the address the node sends to, the name the peer source found for it.
/// </summary>
public sealed class DiscoveredNamesTests
{
    [Fact]
    public async Task Quorum_nodes_carry_the_discovered_names_and_ring_addresses_without_a_nodelist()
    {
        var port = LoopbackPorts.Udp(2);
        var timeouts = TotemTimeouts.Derive(new TotemSettings(), 2);
        var quorum = QuorumSettings.Default with { ExpectedVotes = 2 };
        var tables = new PeerTable[2];
        var nodes = new TotemNode[2];
        try
        {
            for (var i = 0; i < 2; i++)
            {
                tables[i] = new PeerTable();
                tables[i].Replace([
                    KeyValuePair.Create(new NodeId(1), new IPEndPoint(LoopbackPorts.Address(1), port)),
                    KeyValuePair.Create(new NodeId(2), new IPEndPoint(LoopbackPorts.Address(2), port))]);
                // Node 2's source could not name node 1: that name stays empty, nothing else is invented.
                tables[i].ReplaceNames(i == 0
                    ? [KeyValuePair.Create(new NodeId(1), "lab-node-1"), KeyValuePair.Create(new NodeId(2), "lab-node-2")]
                    : [KeyValuePair.Create(new NodeId(2), "lab-node-2")]);
                var options = new NodeOptions(new NodeId((uint)(i + 1)), "names", timeouts, quorum, [], FencingSettings.Default with { Mode = FencingMode.None });
                nodes[i] = TotemNode.StartUdp(options, new IPEndPoint(LoopbackPorts.Address(i + 1), port), tables[i], Serilog.Core.Logger.None);
            }
            Assert.True(await UdpRing.WaitFor(() => nodes.All(n => n.GetStatus() is { State: SrpState.Operational, Members.Count: 2 } s && s.Quorum.Nodes.Count == 2),
                TimeSpan.FromSeconds(60)), "the 2-node ring did not form");

            var seenBy1 = nodes[0].GetStatus().Quorum.Nodes.OrderBy(n => n.NodeId).ToList();
            Assert.Equal(["lab-node-1", "lab-node-2"], seenBy1.Select(n => n.Name));
            Assert.Equal([LoopbackPorts.Address(1).ToString(), LoopbackPorts.Address(2).ToString()], seenBy1.Select(n => n.Address));

            var seenBy2 = nodes[1].GetStatus().Quorum.Nodes.OrderBy(n => n.NodeId).ToList();
            Assert.Equal([null, "lab-node-2"], seenBy2.Select(n => n.Name));
            Assert.Equal([LoopbackPorts.Address(1).ToString(), LoopbackPorts.Address(2).ToString()], seenBy2.Select(n => n.Address));
        }
        finally
        {
            foreach (var node in nodes) node?.Crash();
        }
    }
}
