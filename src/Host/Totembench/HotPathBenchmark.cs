using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Totem.Nodes.Services;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;
using Totem.Protocol.Pg;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Host.Totembench;

/// <summary>
/// `totembench hotpath`: what one datagram costs from the socket through the unseal to the decoded message, and what one
/// delivered message costs from its decoded frame to the payload a service gets (issue 18: no copy or allocation per
/// message). Bytes allocated and time per datagram / per message, on the node's own classes:
/// <list type="bullet">
/// <item>receive: a <see cref="UdpTransport"/> on 127.0.0.2 sends to one on 127.0.0.1, whose callback decodes each datagram
/// (<see cref="TotemCodec.Decode"/>) as the node's InboundDatagrams does. Allocations are the whole process's minus the
/// sending thread's, so they are the receive loop's (plus the runtime's background noise, which is small at these
/// counts); CPU time is the process's, send and receive (kernel included), per datagram.</item>
/// <item>deliver: frames of a <see cref="Packer"/> (packed 64 B, one 1 KiB message, 64 KiB fragmented), encoded and
/// decoded once outside the timing, then <see cref="Assembler.Unpack"/> and <see cref="ServiceFrame.TryUnwrap"/>
/// per delivered message on one thread (exact allocation counts).</item>
/// </list>
/// </summary>
internal static class HotPathBenchmark
{
    private static readonly CryptoSettings[] Suites =
    [
        CryptoSettings.Off,
        new(CryptoCipher.Aes256, CryptoHash.Sha256),
    ];

    public static Command Command(TextWriter output)
    {
        var datagrams = new Option<int>("--datagrams") { Description = "Datagrams received per case", DefaultValueFactory = _ => 50_000 };
        datagrams.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1000) r.AddError("--datagrams must be at least 1000"); });
        var messages = new Option<int>("--messages") { Description = "Messages delivered per case", DefaultValueFactory = _ => 200_000 };
        messages.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1000) r.AddError("--messages must be at least 1000"); });
        var cmd = new Command("hotpath", "Bytes allocated and time per datagram (socket -> unseal -> decode) and per delivered message (frame -> assembler -> service payload)") { datagrams, messages };
        cmd.SetAction((p, ct) =>
        {
            Run(output, p.GetValue(datagrams), p.GetValue(messages), ct);
            return Task.FromResult(0);
        });
        return cmd;
    }

    private static void Run(TextWriter output, int datagrams, int messages, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"hot path, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}");
        output.WriteLine($"receive: socket -> unseal -> decode, {datagrams} datagrams per case (allocations: the receive side's; time: process CPU of send + receive, and wall)");
        output.WriteLine(string.Format(inv, "{0,-14} {1,-22} {2,7} {3,12} {4,12} {5,12}", "cipher/hash", "datagram", "bytes", "alloc B/dg", "cpu µs/dg", "wall µs/dg"));
        foreach (var suite in Suites)
        foreach (var (name, message) in Datagrams())
        {
            ct.ThrowIfCancellationRequested();
            var r = Receive(suite, message, datagrams, ct);
            output.WriteLine(string.Format(inv, "{0,-14} {1,-22} {2,7} {3,12:F1} {4,12:F2} {5,12:F2}", TotemCrypto.Suite(suite), name, r.Bytes, r.AllocatedPerDatagram, r.CpuUs, r.WallUs));
        }
        output.WriteLine();
        output.WriteLine($"deliver: decoded frame -> assembler -> service payload, {messages} messages per case (one thread; exact allocations)");
        output.WriteLine(string.Format(inv, "{0,-26} {1,8} {2,12} {3,12}", "messages", "msg/frame", "alloc B/msg", "µs/msg"));
        foreach (var size in new[] { 64, 1024, 64 * 1024 })
        {
            ct.ThrowIfCancellationRequested();
            // 64 KiB messages: fewer of them, or the queued copies alone would be gigabytes.
            var r = Deliver(size, size >= 64 * 1024 ? Math.Max(100, messages / 1000) : messages);
            output.WriteLine(string.Format(inv, "{0,-26} {1,8:F2} {2,12:F1} {3,12:F3}", $"{size} B", r.PerFrame, r.AllocatedPerMessage, r.Us));
        }
    }

    /// <summary>What the ring sends most: a token with no retransmit requests, a frame packed with 64 B messages, one 1 KiB message.</summary>
    private static IEnumerable<(string Name, byte[] Datagram)> Datagrams()
    {
        var ring = new RingId(new NodeId(1), 4);
        yield return ("token", TotemCodec.Encode(new OrfToken(new NodeId(2), ring, 100, 7, 100, new NodeId(0), 0, 0, false, ValueList<uint>.Empty)));
        foreach (var (label, size) in new[] { ("mcast packed 64 B", 64), ("mcast 1 KiB", 1024) })
        {
            var frame = Frames(size, count: 64).First();
            yield return (label, TotemCodec.Encode(new McastMessage(new NodeId(2), ring, 101, new NodeId(2), DeliveryGuarantee.Agreed, frame, null)));
        }
    }

    private sealed record ReceiveFigures(int Bytes, double AllocatedPerDatagram, double CpuUs, double WallUs);

    private static ReceiveFigures Receive(CryptoSettings suite, byte[] datagram, int count, CancellationToken ct)
    {
        var port = LoopbackPorts.Udp(2);
        var peers = new PeerTable();
        peers.Replace([new(new NodeId(1), new IPEndPoint(LoopbackPorts.Address(1), port)), new(new NodeId(2), new IPEndPoint(LoopbackPorts.Address(2), port))]);
        var key = RandomNumberGenerator.GetBytes(256);
        DatagramSeal? Seal(uint node) => suite.Authenticates ? new DatagramSeal(suite, key, "hotpath", new NodeId(node), bootEpoch: 1) : null;
        using var receiver = new UdpTransport(new NodeId(1), new IPEndPoint(LoopbackPorts.Address(1), port), peers, seal: Seal(1));
        using var sender = new UdpTransport(new NodeId(2), new IPEndPoint(LoopbackPorts.Address(2), port), peers, seal: Seal(2));
        // The sender stays at most a window ahead of the receiver, so the socket's buffer never overflows and every
        // datagram sent is one received; it blocks (not spins) while the window is full, so CPU time is the work's.
        using var window = new SemaphoreSlim(256);
        var malformed = 0L;
        receiver.Start(d =>
        {
            // As InboundDatagrams does: decode on the receive path, the message owns what it keeps.
            if (!TotemCodec.Decode(d.Bytes.Span).IsSuccess) Interlocked.Increment(ref malformed);
            window.Release();
        });

        // Warm-up (JIT tiers, the socket's async machinery, the seal's contexts), then the timed run.
        Pump(sender, datagram, Math.Min(5_000, count), window, ct);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allBefore = GC.GetTotalAllocatedBytes(precise: true);
        var senderBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        Pump(sender, datagram, count, window, ct);
        clock.Stop();
        var senderBytes = GC.GetAllocatedBytesForCurrentThread() - senderBefore;
        var allBytes = GC.GetTotalAllocatedBytes(precise: true) - allBefore;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        if (Interlocked.Read(ref malformed) > 0) throw new InvalidOperationException($"{malformed} of the benchmark's own datagrams did not decode");
        return new ReceiveFigures(datagram.Length, (double)(allBytes - senderBytes) / count, cpu.TotalMicroseconds / count, clock.Elapsed.TotalMicroseconds / count);
    }

    /// <summary>Sends <paramref name="count"/> datagrams from this thread, then waits until the receiver has decoded all of them.</summary>
    private static void Pump(UdpTransport sender, byte[] datagram, int count, SemaphoreSlim window, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(30);
        for (var i = 0; i < count; i++)
        {
            if (!window.Wait(timeout, ct)) throw new TimeoutException($"datagram {i} of {count}: the receiver decoded nothing for {timeout.TotalSeconds} s (lost on loopback?)");
            sender.Send(new NodeId(1), datagram);
        }
        for (var held = 0; held < 256; held++)
            if (!window.Wait(timeout, ct)) throw new TimeoutException($"the last datagrams of {count} did not arrive within {timeout.TotalSeconds} s");
        window.Release(256);
    }

    private sealed record DeliverFigures(double PerFrame, double AllocatedPerMessage, double Us);

    private static DeliverFigures Deliver(int size, int count)
    {
        // Decoded frames, as the engine holds them after the receive path; each delivered message is one of the application's.
        var frames = Frames(size, count)
            .Select(f => ((McastMessage)TotemCodec.Decode(TotemCodec.Encode(new McastMessage(new NodeId(2), new RingId(new NodeId(1), 4), 1, new NodeId(2), DeliveryGuarantee.Agreed, f, null))).Message!).Frame)
            .ToArray();
        var delivered = new List<AssembledMessage>(64);
        var bodyBytes = 0L;
        void RunOnce()
        {
            var assembler = new Assembler();
            foreach (var frame in frames)
            {
                delivered.Clear();
                assembler.Unpack(new NodeId(2), frame, delivered);
                foreach (var message in delivered)
                    if (ServiceFrame.TryUnwrap(message.Payload, out _, out var body)) bodyBytes += body.Length;
            }
        }
        // Warm-up until the code has tiered up (five runs and at least half a second), as a running node's has.
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 5 || warm.ElapsedMilliseconds < 500; i++) RunOnce();
        bodyBytes = 0;
        GC.Collect();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        RunOnce();
        clock.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        if (bodyBytes != (long)count * (size - ServiceFrame.HeaderBytes)) throw new InvalidOperationException($"delivered {bodyBytes} body bytes, expected {(long)count * (size - ServiceFrame.HeaderBytes)}");
        return new DeliverFigures((double)count / frames.Length, (double)allocated / count, clock.Elapsed.TotalMicroseconds / count);
    }

    /// <summary>The frames <paramref name="count"/> application messages of <paramref name="size"/> bytes (service byte included) make at netmtu 1500.</summary>
    private static IEnumerable<PgFrame> Frames(int size, int count)
    {
        var packer = new Packer(PgQueue.Regular, PgLimits.FrameBudget(1500));
        var body = new byte[size - ServiceFrame.HeaderBytes];
        RandomNumberGenerator.Fill(body);
        for (var i = 0; i < count; i++) packer.Enqueue(ServiceFrame.Wrap(ServiceId.Application, body), DeliveryGuarantee.Agreed);
        while (packer.TryNextFrame(out var frame, out _)) yield return frame;
    }
}
