using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Totem.Protocol.Security;

namespace Totem.MultiProcess.Tests;

/// <summary>
/// Captures the ring's sealed datagrams on loopback as an eavesdropper on the wire would: a raw IPv4 socket of
/// protocol UDP (needs root or CAP_NET_RAW) gets a copy of every UDP datagram the kernel delivers locally, IP
/// header included, while the nodes' own sockets still get theirs. Chosen over a relay address in the nodelist
/// because it changes nothing of the ring under test: the nodes bind and talk exactly as they do without it, and
/// a relay would itself be a forwarding attacker that every datagram depends on. Keeps the first and the newest
/// <see cref="Keep"/> datagrams so a long test neither grows without bound nor loses its oldest captures.
/// </summary>
internal sealed class LoopbackCapture : IDisposable
{
    public const int Keep = 4000;

    private readonly Socket _socket;
    private readonly int _port;
    private readonly List<CapturedDatagram> _first = [];
    private readonly Queue<CapturedDatagram> _newest = new();
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _total;

    private LoopbackCapture(Socket socket, int port)
    {
        _socket = socket;
        _port = port;
        _loop = Task.Run(ReceiveLoop);
    }

    /// <summary>Starts capturing datagrams from and to <paramref name="ringPort"/>; throws a clear error without the right to open a raw socket.</summary>
    public static LoopbackCapture Start(int ringPort)
    {
        Socket socket;
        try
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied)
        {
            throw new InvalidOperationException("capturing the ring's datagrams needs a raw socket: run the tests as root or give dotnet CAP_NET_RAW", e);
        }
        socket.ReceiveBufferSize = 8 * 1024 * 1024;
        socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        return new LoopbackCapture(socket, ringPort);
    }

    /// <summary>Sealed datagrams seen so far (to the ring port), whether kept or not.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>The kept datagrams, oldest first.</summary>
    public IReadOnlyList<CapturedDatagram> Snapshot()
    {
        lock (_gate) return [.. _first, .. _newest];
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[70_000];
        while (!_stop.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (Parse(buffer.AsSpan(0, n), Total) is not { } datagram) continue;
            Interlocked.Increment(ref _total);
            lock (_gate)
            {
                if (_first.Count < Keep)
                {
                    _first.Add(datagram);
                    continue;
                }
                _newest.Enqueue(datagram);
                if (_newest.Count > Keep) _newest.Dequeue();
            }
        }
    }

    /// <summary>IPv4 header (IHL words), UDP header (8 bytes), then the datagram; only sealed ones to the ring port.</summary>
    private CapturedDatagram? Parse(ReadOnlySpan<byte> packet, long index)
    {
        if (packet.Length < 20 || packet[0] >> 4 != 4) return null;
        var ipHeader = (packet[0] & 0x0F) * 4;
        if (packet.Length < ipHeader + 8) return null;
        var udp = packet[ipHeader..];
        // From the ring port too: a node sends from its bound socket, the attacker from ephemeral ports, whose
        // datagrams are not authentic and must not be taken for captures.
        if (BinaryPrimitives.ReadUInt16BigEndian(udp) != _port || BinaryPrimitives.ReadUInt16BigEndian(udp[2..]) != _port) return null;
        var payload = udp[8..];
        if (payload.Length < DatagramSeal.HeaderBytes || payload[0] != DatagramSeal.Version) return null;
        return new CapturedDatagram(
            index,
            new IPAddress(packet.Slice(12, 4)),
            new IPAddress(packet.Slice(16, 4)),
            BinaryPrimitives.ReadUInt32BigEndian(payload[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(payload[6..]),
            payload.ToArray());
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // Ended by the cancellation or the disposal; either way it is over.
        }
        _stop.Dispose();
    }
}

/// <summary>One authentic datagram as it crossed loopback: its place in the capture, addresses, the seal's sender and destination ids, its bytes.</summary>
internal sealed record CapturedDatagram(long Index, IPAddress From, IPAddress To, uint SealedSender, uint SealedDestination, byte[] Bytes);
