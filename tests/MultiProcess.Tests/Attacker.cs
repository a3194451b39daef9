using System.Net;
using System.Net.Sockets;
using Totem.Host.Ringbench.LocalRing;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// A process on the ring's host without the key: it sends from any 127.0.0.x address it likes (a node's own
/// address passes block_unlisted_ips, which checks the source address and not the port), to a node's ring port.
/// </summary>
internal sealed class Attacker(int ringPort) : IDisposable
{
    private readonly Dictionary<IPAddress, Socket> _sockets = new();

    public long Sent { get; private set; }

    public void Send(IPAddress from, int toNode, byte[] datagram) => Send(from, LocalRing.Address(toNode), datagram);

    public void Send(IPAddress from, IPAddress to, byte[] datagram)
    {
        if (!_sockets.TryGetValue(from, out var socket))
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { SendBufferSize = 4 * 1024 * 1024 };
            socket.Bind(new IPEndPoint(from, 0));
            _sockets.Add(from, socket);
        }
        socket.SendTo(datagram, new IPEndPoint(to, ringPort));
        Sent++;
    }

    public void Dispose()
    {
        foreach (var socket in _sockets.Values) socket.Dispose();
    }
}
