using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Serilog;
using Totem.Nodes.Control;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Transport;

/// <summary>
/// Real UDP, corosync udpu style: one socket bound to the ring address (default port 5405), and
/// "multicast" is a unicast to every known peer. Receiving runs on its own loop and never blocks
/// the actors; sending is a non-blocking sendto. With a <see cref="DatagramSeal"/> every datagram is sealed on its
/// way out and opened on its way in before anything else sees it: one that fails is counted by reason and dropped,
/// never decoded. A socket that fails (its interface gone, its descriptor broken) is rebound every downcheck ms, as
/// corosync's totemudp/totemudpu netif check does ("The network interface is down." / "... is now up."): the ring sees
/// lost datagrams meanwhile, the process never stops.
/// </summary>
public sealed class UdpTransport : IDatagramTransport
{
    public const int DefaultPort = 5405;
    private const int MaxDatagram = 65536;
    // A sealed frame at corosync's netmtu 1500 fits; a larger datagram grows the thread's buffer once.
    private const int SealBufferBytes = 2048;

    [ThreadStatic] private static byte[]? t_sealed;

    private volatile Socket _socket;
    private readonly Func<IPEndPoint, Socket> _open;
    private readonly TimeSpan _downcheck;
    private readonly PeerTable _peers;
    private readonly IOutboundShaper? _shaper;
    private readonly DatagramSeal? _seal;
    private readonly SourceFilter? _sources;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task? _receiveLoop;
    private readonly ConcurrentDictionary<IPEndPoint, SocketAddress> _socketAddresses = new();

    /// <param name="seal">Seals and opens every datagram; null: clear datagrams (crypto none). The transport owns it.</param>
    /// <param name="log">Where refused datagrams are reported (rate-limited).</param>
    /// <param name="sources">totem.block_unlisted_ips: drops datagrams from unlisted sources before anything else looks at them.</param>
    /// <param name="downcheck">totem.downcheck: how often a failed socket is bound again (default 1000 ms).</param>
    /// <param name="open">Opens and binds the socket (default: <see cref="OpenSocket"/>); every rebind goes through it too.</param>
    public UdpTransport(NodeId localNode, IPEndPoint bindTo, PeerTable peers, IOutboundShaper? shaper = null, DatagramSeal? seal = null, ILogger? log = null, SourceFilter? sources = null,
        TimeSpan? downcheck = null, Func<IPEndPoint, Socket>? open = null)
    {
        _open = open ?? OpenSocket;
        _downcheck = downcheck ?? TimeSpan.FromMilliseconds(Protocol.Config.TotemTimeouts.DefaultDowncheck);
        if (_downcheck <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(downcheck), downcheck, "UdpTransport: downcheck must be greater than 0");
        _sources = sources;
        LocalNode = localNode;
        _peers = peers;
        _shaper = shaper;
        _seal = seal;
        _log = (log ?? Serilog.Core.Logger.None).ForContext(LogSubsystem.Property, LogSubsystem.Transport);
        _socket = _open(bindTo);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    /// <summary>A UDP socket with 4 MiB buffers, bound to <paramref name="bindTo"/>.</summary>
    public static Socket OpenSocket(IPEndPoint bindTo)
    {
        var socket = new Socket(bindTo.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = 4 * 1024 * 1024;
            socket.SendBufferSize = 4 * 1024 * 1024;
            socket.Bind(bindTo);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public NodeId LocalNode { get; }
    public IPEndPoint LocalEndPoint { get; }
    public TransportCounters Counters { get; } = new();

    public void Start(Action<ReceivedDatagram> onDatagram)
    {
        if (_receiveLoop is not null) throw new InvalidOperationException("The transport is already started.");
        _receiveLoop = Task.Run(() => ReceiveLoop(onDatagram));
    }

    public void Send(NodeId destination, byte[] datagram)
    {
        if (!_peers.TryGet(destination, out var endpoint))
        {
            Counters.OnUnknownDestination();
            return;
        }
        SendShaped(destination, endpoint, _seal is null ? datagram : SealForSending(datagram, destination));
    }

    public void SendToAll(byte[] datagram)
    {
        // Sealed once for every peer: the destination "everyone" lets each open it, and the counter is used once.
        var wire = _seal is null ? datagram : SealForSending(datagram, DatagramSeal.Everyone);
        foreach (var (node, endpoint) in _peers.Snapshot)
        {
            if (node == LocalNode) continue;
            SendShaped(node, endpoint, wire);
        }
    }

    /// <summary>
    /// Seals into the sending thread's own buffer: sendto copies the bytes before it returns, so one buffer per thread
    /// serves every sealed datagram instead of a new array each (one per frame and per token hop). Only a send held
    /// back by the fault shaper outlives the call, and it takes its own copy.
    /// </summary>
    private ArraySegment<byte> SealForSending(byte[] plain, NodeId destination)
    {
        var needed = _seal!.SealedLength(plain.Length);
        var buffer = t_sealed;
        if (buffer is null || buffer.Length < needed) t_sealed = buffer = new byte[Math.Max(needed, SealBufferBytes)];
        return new ArraySegment<byte>(buffer, 0, _seal.Seal(plain, destination, buffer));
    }

    private void SendShaped(NodeId destination, IPEndPoint endpoint, ArraySegment<byte> datagram)
    {
        if (_shaper is null)
        {
            SendNow(endpoint, datagram);
            return;
        }
        var delay = _shaper.Decide(destination);
        if (delay is null)
        {
            Counters.OnDroppedByFault();
            return;
        }
        if (delay.Value <= TimeSpan.Zero)
        {
            SendNow(endpoint, datagram);
            return;
        }
        _ = SendLater(endpoint, datagram.ToArray(), delay.Value);
    }

    private async Task SendLater(IPEndPoint endpoint, byte[] datagram, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
            SendNow(endpoint, datagram);
        }
        catch (OperationCanceledException)
        {
            // The transport stopped while the datagram was held back: it is lost, as on a real link going down.
        }
    }

    private void SendNow(IPEndPoint endpoint, ArraySegment<byte> datagram)
    {
        try
        {
            _socket.SendTo(datagram.AsSpan(), SocketFlags.None, SocketAddressOf(endpoint));
            Counters.OnSent();
        }
        catch (SocketException)
        {
            Counters.OnSendError();
        }
        catch (ObjectDisposedException)
        {
            Counters.OnSendError();
        }
    }

    /// <summary>
    /// The peer's address as the socket takes it, serialized once per peer: SendTo with an EndPoint serializes it on
    /// every datagram. Sends come from the adapter and from delayed sends (fault injection) at once, hence concurrent;
    /// emptied if discovery ever made it large.
    /// </summary>
    private SocketAddress SocketAddressOf(IPEndPoint endpoint)
    {
        if (_socketAddresses.TryGetValue(endpoint, out var address)) return address;
        if (_socketAddresses.Count >= SenderAddresses.Capacity) _socketAddresses.Clear();
        return _socketAddresses.GetOrAdd(endpoint, static e => e.Serialize());
    }

    private async Task ReceiveLoop(Action<ReceivedDatagram> onDatagram)
    {
        // One buffer for what the socket gives and one for what the seal opens, reused for every datagram: the callback
        // decodes before it returns and the message keeps its own copies, so nothing is allocated or copied per datagram
        // before the decoder. The source lands in one reused SocketAddress (no EndPoint per receive).
        var buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: true);
        byte[] opened = _seal is null ? [] : GC.AllocateUninitializedArray<byte>(_seal.MaxOpenedLength(MaxDatagram));
        var source = new SocketAddress(LocalEndPoint.AddressFamily);
        var senders = new SenderAddresses(LocalEndPoint.AddressFamily);
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, source, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e) when (IsTransient(e.SocketErrorCode))
            {
                // Linux reports ICMP port-unreachable of an earlier sendto as an error on the next receive: that is a
                // dead peer, which the protocol handles, not a reason to stop receiving.
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (!await RebindAsync(e).ConfigureAwait(false)) return;
                continue;
            }
            Counters.OnReceived();
            var from = senders.Of(source);
            // Unlisted sources go first: no key work is spent on a stranger's datagram.
            if (_sources is not null && !_sources.Admit(from, Counters)) continue;
            ReadOnlyMemory<byte> bytes = buffer.AsMemory(0, length);
            NodeId? sealedBy = null;
            if (_seal is not null)
            {
                if (!_seal.TryOpen(bytes.Span, opened, out var written, out var failure))
                {
                    Refused(failure, from);
                    continue;
                }
                sealedBy = DatagramSeal.SenderOf(bytes.Span);
                bytes = opened.AsMemory(0, written);
            }
            onDatagram(new ReceivedDatagram(bytes, from, sealedBy));
        }
    }

    private static bool IsTransient(SocketError error) => error is SocketError.ConnectionReset or SocketError.ConnectionRefused
        or SocketError.HostUnreachable or SocketError.MessageSize or SocketError.Interrupted or SocketError.WouldBlock or SocketError.TryAgain;

    /// <summary>
    /// corosync's netif check (totemudpu.c timer_function_netif_check_timeout, every downcheck ms): the socket failed,
    /// so it is closed and the ring address bound again every downcheck until that works. False: the transport stopped.
    /// </summary>
    private async Task<bool> RebindAsync(Exception failure)
    {
        Counters.OnSocketFailure();
        _log.Warning("The network interface is down. ({Error}); binding {Endpoint:l} again every {DowncheckMs} ms",
            failure.Message, LocalEndPoint.ToString(), (long)_downcheck.TotalMilliseconds);
        _socket.Dispose();
        while (true)
        {
            try
            {
                await Task.Delay(_downcheck, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            var attempt = Counters.OnRebind();
            try
            {
                var socket = _open(LocalEndPoint);
                _socket = socket;
                if (_stop.IsCancellationRequested)
                {
                    socket.Dispose();
                    return false;
                }
                _log.Information("The network interface [{Address:l}] is now up.", LocalEndPoint.Address.ToString());
                return true;
            }
            catch (SocketException e)
            {
                if (FloodLog.Logs(attempt))
                    _log.Warning("Could not bind {Endpoint:l} again: {Error} (attempt {Attempt}); next in {DowncheckMs} ms",
                        LocalEndPoint.ToString(), e.Message, attempt, (long)_downcheck.TotalMilliseconds);
            }
        }
    }

    /// <summary>
    /// knet's words for it ("Unable to decrypt/auth packet", at debug there); a warning here because a wrong key
    /// or an attack is what the admin must see, rate-limited by logging the 1st, 2nd, 4th, 8th... of each reason.
    /// </summary>
    private void Refused(SealFailure failure, EndPoint from)
    {
        var count = Counters.OnSealFailure(failure);
        if (FloodLog.Logs(count))
            _log.Warning("Unable to decrypt/auth packet from {From:l}: {Reason} ({Count} so far)", from.ToString(), failure, count);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _receiveLoop?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The loop ends by cancellation or disposal; either way it is over.
        }
        _stop.Dispose();
        _seal?.Dispose();
    }
}
