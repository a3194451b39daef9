using System.Collections.Concurrent;
using System.Net;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Totem.Nodes.Transport;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Udp;

/// <summary>The seal inside UdpTransport on real sockets (127.0.0.1..3): what it hands up, what it counts and logs.</summary>
public sealed class SealedTransportTests
{
    private static readonly CryptoSettings SecauthOn = new(CryptoCipher.Aes256, CryptoHash.Sha256);

    private sealed class Collect : ILogEventSink
    {
        public ConcurrentQueue<LogEvent> Events { get; } = new();
        public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);
    }

    private static byte[] Key(int seed)
    {
        var key = new byte[256];
        new Random(seed).NextBytes(key);
        return key;
    }

    [Fact]
    public async Task A_peer_with_the_key_gets_the_datagram_and_one_with_another_key_counts_and_logs_it_rate_limited()
    {
        var port = LoopbackPorts.Udp(3);
        var peers = new PeerTable();
        peers.Replace(Enumerable.Range(1, 3).Select(i => KeyValuePair.Create(new NodeId((uint)i), new IPEndPoint(LoopbackPorts.Address(i), port))));
        UdpTransport Transport(int i, byte[] key, ILogger? log = null) =>
            new(new NodeId((uint)i), new IPEndPoint(LoopbackPorts.Address(i), port), peers, seal: new DatagramSeal(SecauthOn, key, "udp-test", new NodeId((uint)i), 1), log: log);

        var sink = new Collect();
        using var sender = Transport(1, Key(1));
        using var friend = Transport(2, Key(1));
        using var stranger = Transport(3, Key(2), new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger());
        var toFriend = new ConcurrentQueue<byte[]>();
        var toStranger = new ConcurrentQueue<byte[]>();
        friend.Start(d => toFriend.Enqueue(d.Bytes.ToArray()));
        stranger.Start(d => toStranger.Enqueue(d.Bytes.ToArray()));

        var payload = "a totem message"u8.ToArray();
        for (var i = 0; i < 5; i++) sender.SendToAll(payload);
        Assert.True(await UdpRing.WaitFor(() => toFriend.Count == 5 && stranger.Counters.SealFailures(SealFailure.BadTag) == 5, TimeSpan.FromSeconds(10)),
            $"friend got {toFriend.Count}, stranger refused {stranger.Counters.SealFailures(SealFailure.BadTag)}");
        Assert.All(toFriend, d => Assert.Equal(payload, d));
        Assert.Empty(toStranger);
        Assert.Equal(5, stranger.Counters.Unauthenticated);
        Assert.Equal(5, stranger.Counters.Received);
        Assert.Equal(0, friend.Counters.Unauthenticated);

        // knet's words, for the 1st, 2nd and 4th refusal of the reason: rate-limited, not one line a datagram.
        var lines = sink.Events.Select(e => e.RenderMessage()).ToList();
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.StartsWith("Unable to decrypt/auth packet from 127.0.0.1:", l));
        Assert.Contains("BadTag (4 so far)", lines[^1]);
    }
}
