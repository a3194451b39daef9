using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Totem.Nodes.Transport;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Transport;

/// <summary>totem.downcheck on a real socket: a transport whose socket fails binds its address again every downcheck ms.</summary>
public sealed class DowncheckTests
{
    private static readonly TimeSpan Downcheck = TimeSpan.FromMilliseconds(50);

    private sealed class Lines : ILogEventSink
    {
        public ConcurrentQueue<string> All { get; } = new();
        public void Emit(LogEvent logEvent) => All.Enqueue(logEvent.RenderMessage());
        public int Count(string start) => All.Count(l => l.StartsWith(start, StringComparison.Ordinal));
    }

    private static async Task<bool> WaitFor(Func<bool> condition)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(20); waited += TimeSpan.FromMilliseconds(10))
        {
            if (condition()) return true;
            await Task.Delay(10);
        }
        return condition();
    }

    [Fact]
    public async Task A_failed_socket_is_rebound_every_downcheck_until_the_address_is_free_and_traffic_flows_again()
    {
        var lines = new Lines();
        var log = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(lines).CreateLogger();
        var opened = new ConcurrentQueue<Socket>();
        var peers = new PeerTable();
        using var a = new UdpTransport(new NodeId(1), new IPEndPoint(IPAddress.Loopback, 0), peers, log: log, downcheck: Downcheck,
            open: endpoint =>
            {
                var socket = UdpTransport.OpenSocket(endpoint);
                opened.Enqueue(socket);
                return socket;
            });
        using var b = new UdpTransport(new NodeId(2), new IPEndPoint(IPAddress.Loopback, 0), peers);
        peers.Replace([new(new NodeId(1), a.LocalEndPoint), new(new NodeId(2), b.LocalEndPoint)]);
        var atA = new ConcurrentQueue<byte[]>();
        var atB = new ConcurrentQueue<byte[]>();
        a.Start(d => atA.Enqueue(d.Bytes.ToArray()));
        b.Start(d => atB.Enqueue(d.Bytes.ToArray()));
        b.Send(new NodeId(1), [1]);
        Assert.True(await WaitFor(() => atA.Count == 1));

        // The socket breaks under the transport, and something else takes the address before the first recheck.
        Assert.True(opened.TryDequeue(out var first));
        first.Dispose();
        using (var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            squatter.Bind(a.LocalEndPoint);
            Assert.True(await WaitFor(() => lines.Count("The network interface is down.") == 1));
            // Every downcheck another attempt, each refused while the address is taken; the process goes on.
            Assert.True(await WaitFor(() => a.Counters.Rebinds >= 3), string.Join("\n", lines.All));
            Assert.True(lines.Count("Could not bind ") >= 2);
            Assert.Equal(1, a.Counters.SocketFailures);
            Assert.Empty(opened);
        }

        Assert.True(await WaitFor(() => lines.Count("The network interface [127.0.0.1] is now up.") == 1), string.Join("\n", lines.All));
        Assert.Single(opened);
        b.Send(new NodeId(1), [2]);
        Assert.True(await WaitFor(() => atA.Count == 2));
        a.Send(new NodeId(2), [3]);
        Assert.True(await WaitFor(() => atB.Count == 1));
        Assert.Equal(1, a.Counters.SocketFailures);
    }

    [Fact]
    public void Downcheck_must_be_positive()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new UdpTransport(new NodeId(1), new IPEndPoint(IPAddress.Loopback, 0), new PeerTable(), downcheck: TimeSpan.Zero));
        Assert.Contains("downcheck", error.Message);
    }
}
