using System.Diagnostics;
using System.Security.Cryptography;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Transport;

/// <summary>What sealing and opening one datagram costs on this machine, µs per datagram: wall time and process CPU time.</summary>
public sealed record SealCostSample(CryptoSettings Settings, int PlainBytes, int WireBytes, double SealUs, double OpenUs, double SealCpuUs, double OpenCpuUs)
{
    /// <summary>Issue 12's budget: authentication adds at most 50 µs per datagram.</summary>
    public const double BudgetMicroseconds = 50;

    /// <summary>The larger of the two CPU costs: what the budget is judged on (wall time adds the wait for a core on a loaded machine).</summary>
    public double WorstCpuUs => Math.Max(SealCpuUs, OpenCpuUs);

    public bool WithinBudget => WorstCpuUs <= BudgetMicroseconds;

    /// <summary>
    /// Seals <paramref name="iterations"/> datagrams of <paramref name="plainBytes"/> random bytes and opens each once, with
    /// the transport's receive call (TryOpen into one reused buffer); every opened datagram is a fresh one, so the replay
    /// window's bookkeeping is measured too. The sealed datagrams go into one slab allocated before the clock starts: a
    /// new array per datagram, all kept alive until they are opened, measured the GC's promotions more than the seal
    /// (the transport's arrays die young).
    /// </summary>
    public static SealCostSample Measure(CryptoSettings settings, int plainBytes, int iterations)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var key = RandomNumberGenerator.GetBytes(256);
        using var sender = new DatagramSeal(settings, key, "bench", new NodeId(1), bootEpoch: 1);
        using var receiver = new DatagramSeal(settings, key, "bench", new NodeId(2), bootEpoch: 1);
        var plain = RandomNumberGenerator.GetBytes(plainBytes);
        var wireBytes = sender.SealedLength(plainBytes);
        var opened = new byte[receiver.MaxOpenedLength(wireBytes)];
        // Warm-up: JIT tiers and the cipher's native context, outside the timed loops.
        for (var i = 0; i < Math.Min(2_000, iterations); i++) receiver.TryOpen(sender.Seal(plain, DatagramSeal.Everyone), opened, out _, out _);

        var slab = GC.AllocateUninitializedArray<byte>(checked(wireBytes * iterations));
        // Touched before the clock: a fresh slab's first writes are page faults, which the first suite measured would pay alone.
        slab.AsSpan().Fill(0);
        var cpu = Process.GetCurrentProcess();
        var cpuBefore = cpu.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++) sender.Seal(plain, DatagramSeal.Everyone, slab.AsSpan(i * wireBytes, wireBytes));
        var sealUs = clock.Elapsed.TotalMicroseconds / iterations;
        cpu.Refresh();
        var sealCpuUs = (cpu.TotalProcessorTime - cpuBefore).TotalMicroseconds / iterations;

        var openedCount = 0;
        cpuBefore = cpu.TotalProcessorTime;
        clock.Restart();
        for (var i = 0; i < iterations; i++)
            if (receiver.TryOpen(slab.AsSpan(i * wireBytes, wireBytes), opened, out _, out _)) openedCount++;
        var openUs = clock.Elapsed.TotalMicroseconds / iterations;
        cpu.Refresh();
        var openCpuUs = (cpu.TotalProcessorTime - cpuBefore).TotalMicroseconds / iterations;
        if (openedCount != iterations) throw new InvalidOperationException($"{iterations - openedCount} of the benchmark's own datagrams did not open");
        return new SealCostSample(settings, plainBytes, wireBytes, sealUs, openUs, sealCpuUs, openCpuUs);
    }
}
