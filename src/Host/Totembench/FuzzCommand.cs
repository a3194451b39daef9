using System.CommandLine;
using Totem.Protocol.Wire;
using Totem.Protocol.Wire.Fuzzing;

namespace Totem.Host.Totembench;

/// <summary>
/// <c>totembench fuzz</c>: the long run of the decode-path fuzzer whose short run is in the default tests.
/// Exit 0 when no input was mishandled, 1 with the findings listed.
/// </summary>
internal static class FuzzCommand
{
    public static Command Command(TextWriter output)
    {
        var count = new Option<long>("--count") { Description = "Mutated inputs to decode", DefaultValueFactory = _ => 1_000_000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the corpus and the mutations (a seed replays exactly)", DefaultValueFactory = _ => 1 };
        var corpus = new Option<string>("--corpus")
        {
            Description = "simulator (datagrams a simulated ring sent) | synthetic (ring traffic built with the codec) | both",
            DefaultValueFactory = _ => "both",
        };
        corpus.AcceptOnlyFromAmong("simulator", "synthetic", "both");
        var bound = new Option<int>("--per-input-ms") { Description = "An input that decodes slower than this (three times) is a finding", DefaultValueFactory = _ => 250 };
        count.Validators.Add(r => { if (r.GetValueOrDefault<long>() <= 0) r.AddError("--count must be at least 1"); });
        bound.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError("--per-input-ms must be at least 1"); });
        var cmd = new Command("fuzz", "Decode mutated real traffic (bit flips, truncation, splices, length edits...) and report any exception, hang or non-canonical accept")
        {
            count, seed, corpus, bound,
        };
        cmd.SetAction((p, ct) => Task.FromResult(Run(output, p.GetValue(count), p.GetValue(seed), p.GetValue(corpus)!, p.GetValue(bound), ct)));
        return cmd;
    }

    private static int Run(TextWriter output, long count, int seed, string corpusName, int boundMs, CancellationToken ct)
    {
        var corpus = new List<byte[]>();
        if (corpusName is "simulator" or "both") corpus.AddRange(SimulatorTraffic.Capture(seed));
        if (corpusName is "synthetic" or "both") corpus.AddRange(WireCorpus.RingTraffic(seed));
        var types = corpus.Select(d => TotemCodec.Decode(d)).GroupBy(r => r.IsSuccess ? r.Message!.GetType().Name : $"invalid ({r.Error})")
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");
        output.WriteLine($"corpus ({corpusName}, seed {seed}): {corpus.Count} valid datagrams: {string.Join(", ", types)}");

        var report = new CodecFuzzer(corpus).Run(seed, count, TimeSpan.FromMilliseconds(boundMs),
            n => output.WriteLine($"  {n:N0} inputs"), ct);
        output.Write(report.Summary());
        return report.Findings == 0 && report.Inputs == count ? 0 : 1;
    }
}
