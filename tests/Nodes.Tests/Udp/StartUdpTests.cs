using System.Net;
using System.Net.Sockets;
using Serilog.Core;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Udp;

public sealed class StartUdpTests
{
    [Fact]
    public async Task A_socket_that_cannot_be_bound_leaves_a_given_system_to_its_giver()
    {
        var me = new NodeId(1);
        using var holder = new UdpClient(new IPEndPoint(LoopbackPorts.Address(1), 0));
        var inUse = (IPEndPoint)holder.Client.LocalEndPoint!;
        var options = new NodeOptions(me, "start-udp-test", TotemTimeouts.Derive(new TotemSettings(), 1), QuorumSettings.Default, [], FencingSettings.Default);
        var system = TotemNode.CreateSystem(me, Logger.None);
        var asked = false;
        try
        {
            Assert.ThrowsAny<SocketException>(() => TotemNode.StartUdp(options, inUse, new PeerTable(), Logger.None,
                system: () => { asked = true; return system; }));
            // Its giver (totemd) stops it: asked for here, it would be stopped twice, or by a start that never took it.
            Assert.False(asked, "the system was asked for although the socket was not bound");
            Assert.False(system.WhenTerminated.IsCompleted, "the start terminated a system it was given");
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}
