using System.Net;
using System.Net.Sockets;

namespace Totem.Nodes.Transport;

/// <summary>
/// A ring of N nodes on one machine: node n on 127.0.0.n (Linux routes all of 127.0.0.0/8 to loopback),
/// and ports free on every 127.0.0.x address of the ring, so parallel runs (and a running
/// scripts/local-ring.sh on 5405/7405) do not collide. The kernel picks a candidate on 127.0.0.1; the
/// others are probed by binding.
/// </summary>
public static class LoopbackPorts
{
    public static IPAddress Address(int node) => new([127, 0, 0, (byte)node]);

    public static int Udp(int nodes) => Find(nodes, SocketType.Dgram, ProtocolType.Udp);

    public static int Tcp(int nodes) => Find(nodes, SocketType.Stream, ProtocolType.Tcp);

    private static int Find(int nodes, SocketType type, ProtocolType protocol)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var sockets = new List<Socket>();
            try
            {
                var first = new Socket(AddressFamily.InterNetwork, type, protocol);
                sockets.Add(first);
                first.Bind(new IPEndPoint(Address(1), 0));
                var port = ((IPEndPoint)first.LocalEndPoint!).Port;
                for (var n = 2; n <= nodes; n++)
                {
                    var s = new Socket(AddressFamily.InterNetwork, type, protocol);
                    sockets.Add(s);
                    s.Bind(new IPEndPoint(Address(n), port));
                }
                return port;
            }
            catch (SocketException)
            {
                // Taken on one of the addresses: try another candidate.
            }
            finally
            {
                foreach (var s in sockets) s.Dispose();
            }
        }
        throw new InvalidOperationException($"no {protocol} port is free on all of 127.0.0.1..127.0.0.{nodes}");
    }
}
