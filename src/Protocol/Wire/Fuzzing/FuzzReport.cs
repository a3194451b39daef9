using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Totem.Protocol.Wire.Fuzzing;

/// <summary>What a fuzz run did: inputs by outcome and by mutation, the slowest input, and every finding kept.</summary>
public sealed record FuzzReport(
    int Seed,
    long Inputs,
    long Accepted,
    ImmutableSortedDictionary<DecodeError, long> Rejected,
    ImmutableSortedDictionary<MutationKind, long> ByMutation,
    long Findings,
    ImmutableArray<FuzzFinding> FirstFindings,
    TimeSpan SlowestInput,
    TimeSpan Elapsed)
{
    public long RejectedTotal => Rejected.Values.Sum();

    public double InputsPerSecond => Elapsed > TimeSpan.Zero ? Inputs / Elapsed.TotalSeconds : 0;

    public string Summary()
    {
        var b = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        b.Append(c, $"fuzz seed {Seed}: {Inputs:N0} inputs in {Elapsed.TotalSeconds:F1} s ({InputsPerSecond:N0} inputs/s), slowest input {SlowestInput.TotalMilliseconds:F3} ms\n");
        b.Append(c, $"  accepted {Accepted:N0} (re-encode to the same bytes), rejected {RejectedTotal:N0}, findings {Findings:N0}\n");
        b.Append("  rejected by reason:");
        foreach (var (error, count) in Rejected) b.Append(c, $" {error} {count:N0};");
        b.Append("\n  inputs by mutation:");
        foreach (var (kind, count) in ByMutation) b.Append(c, $" {kind} {count:N0};");
        b.Append('\n');
        foreach (var finding in FirstFindings) b.Append("  FINDING ").Append(finding).Append('\n');
        return b.ToString();
    }
}
