using System.CommandLine;
using System.Globalization;
using Totem.Protocol.Security;
using Totem.Nodes.Transport;
using Totem.Protocol.Config;

namespace Totem.Host.Totembench;

/// <summary>
/// `totembench seal`: microseconds per <see cref="DatagramSeal.Seal(ReadOnlySpan{byte}, NodeId)"/> and per TryOpen
/// for datagrams of the sizes the ring sends (a token, a typical mcast, one near the MTU), for hash only and for
/// secauth's aes256 + sha256, against issue 12's budget of 50 µs per datagram (<see cref="SealCostSample.Measure"/>).
/// </summary>
internal static class SealBenchmark
{
    private static readonly int[] Sizes = [64, 1024, 1400];
    private static readonly CryptoSettings[] Suites =
    [
        new(CryptoCipher.None, CryptoHash.Sha256),
        new(CryptoCipher.Aes256, CryptoHash.Sha256),
    ];

    public static Command Command(TextWriter output)
    {
        var iterations = new Option<int>("--iterations") { Description = "Datagrams sealed and opened per case", DefaultValueFactory = _ => 20_000 };
        iterations.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError("--iterations must be at least 1"); });
        var cmd = new Command("seal", "Microseconds per sealed and per opened datagram (64 B, 1 KiB, 1.4 KiB; none/sha256 and aes256/sha256)") { iterations };
        cmd.SetAction((p, ct) =>
        {
            Run(output, p.GetValue(iterations), ct);
            return Task.FromResult(0);
        });
        return cmd;
    }

    private static void Run(TextWriter output, int iterations, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"datagram seal, {iterations} datagrams per case, {Environment.ProcessorCount} cores, µs per datagram (budget {SealCostSample.BudgetMicroseconds} µs)");
        // Wall time is what a datagram waits; process CPU time is what it costs, and the two differ on a loaded machine.
        output.WriteLine(string.Format(inv, "{0,-14} {1,6} {2,8} {3,9} {4,9} {5,9} {6,9} {7,8}", "cipher/hash", "bytes", "on wire", "seal µs", "open µs", "seal cpu", "open cpu", "budget"));
        var worst = 0.0;
        foreach (var settings in Suites)
        foreach (var size in Sizes)
        {
            ct.ThrowIfCancellationRequested();
            var s = SealCostSample.Measure(settings, size, iterations);
            worst = Math.Max(worst, s.WorstCpuUs);
            output.WriteLine(string.Format(inv, "{0,-14} {1,6} {2,8} {3,9:F2} {4,9:F2} {5,9:F2} {6,9:F2} {7,8}", TotemCrypto.Suite(settings), size, s.WireBytes, s.SealUs, s.OpenUs, s.SealCpuUs, s.OpenCpuUs,
                s.WithinBudget ? "met" : "MISSED"));
        }
        output.WriteLine(string.Format(inv, "worst case {0:F2} µs of CPU per datagram: the {1} µs budget is {2} (judged on CPU time; wall time adds the wait for a core)", worst, SealCostSample.BudgetMicroseconds, worst <= SealCostSample.BudgetMicroseconds ? "met" : "missed"));
    }

}
