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

    /// <summary>Holds back every other datagram (the held ones outlive the send call), sends the rest at once.</summary>
    private sealed class HoldEveryOther : IOutboundShaper
    {
        private int _count;
        public TimeSpan? Decide(NodeId destination) => Interlocked.Increment(ref _count) % 2 == 0 ? TimeSpan.FromMilliseconds(30) : TimeSpan.Zero;
    }

    [Fact]
    public async Task Datagrams_sealed_one_after_another_arrive_each_intact_when_some_are_held_back_and_others_sent_at_once()
    {
        // The transport seals into one reused buffer per sending thread: a held-back datagram must keep its own bytes,
        // or it goes out as whatever was sealed last (a replay the receiver refuses, and the payload lost).
        var port = LoopbackPorts.Udp(2);
        var peers = new PeerTable();
        peers.Replace(Enumerable.Range(1, 2).Select(i => KeyValuePair.Create(new NodeId((uint)i), new IPEndPoint(LoopbackPorts.Address(i), port))));
        using var sender = new UdpTransport(new NodeId(1), new IPEndPoint(LoopbackPorts.Address(1), port), peers, new HoldEveryOther(),
            new DatagramSeal(SecauthOn, Key(1), "udp-test", new NodeId(1), 1));
        using var receiver = new UdpTransport(new NodeId(2), new IPEndPoint(LoopbackPorts.Address(2), port), peers,
            seal: new DatagramSeal(SecauthOn, Key(1), "udp-test", new NodeId(2), 1));
        var got = new ConcurrentQueue<string>();
        receiver.Start(d => got.Enqueue(System.Text.Encoding.ASCII.GetString(d.Bytes.Span)));

        // Sizes vary so that a later, shorter datagram would not even cover an earlier one's bytes.
        var sent = Enumerable.Range(0, 40).Select(i => $"message {i} " + new string((char)('a' + i % 26), 1 + i * 37 % 300)).ToList();
        for (var i = 0; i < sent.Count; i++)
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(sent[i]);
            if (i % 3 == 0) sender.Send(new NodeId(2), bytes);
            else sender.SendToAll(bytes);
        }

        Assert.True(await UdpRing.WaitFor(() => got.Count == sent.Count, TimeSpan.FromSeconds(10)), $"received {got.Count} of {sent.Count}");
        Assert.Equal(sent.Order(StringComparer.Ordinal), got.Order(StringComparer.Ordinal));
        Assert.Equal(0, receiver.Counters.Unauthenticated);
    }
}
