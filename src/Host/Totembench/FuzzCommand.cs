using System.CommandLine;
using Totem.Protocol.Config;
using Totem.Protocol.Security;
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
        var crypto = new Option<string>("--crypto")
        {
            Description = "crypto_cipher/crypto_hash, e.g. aes256/sha256: the decode path opens with a real key first; mutations of sealed traffic, then as many of clear traffic sealed by a key holder",
            DefaultValueFactory = _ => "none",
        };
        crypto.Validators.Add(r =>
        {
            if (TotemCrypto.ParseSuite(r.GetValueOrDefault<string>() ?? "", out var error) is null) r.AddError($"--crypto {error}");
        });
        var bound = new Option<int>("--per-input-ms") { Description = "An input that decodes slower than this (three times) is a finding", DefaultValueFactory = _ => 250 };
        count.Validators.Add(r => { if (r.GetValueOrDefault<long>() <= 0) r.AddError("--count must be at least 1"); });
        bound.Validators.Add(r => { if (r.GetValueOrDefault<int>() <= 0) r.AddError("--per-input-ms must be at least 1"); });
        var cmd = new Command("fuzz", "Decode mutated real traffic (bit flips, truncation, splices, length edits...) and report any exception, hang or non-canonical accept")
        {
            count, seed, corpus, bound, crypto,
        };
        cmd.SetAction((p, ct) => Task.FromResult(Run(output, p.GetValue(count), p.GetValue(seed), p.GetValue(corpus)!, p.GetValue(bound),
            TotemCrypto.ParseSuite(p.GetValue(crypto)!, out _)!, ct)));
        return cmd;
    }

    private static int Run(TextWriter output, long count, int seed, string corpusName, int boundMs, CryptoSettings crypto, CancellationToken ct)
    {
        var corpus = new List<byte[]>();
        if (corpusName is "simulator" or "both") corpus.AddRange(SimulatorTraffic.Capture(seed));
        if (corpusName is "synthetic" or "both") corpus.AddRange(WireCorpus.RingTraffic(seed));
        var types = corpus.Select(d => TotemCodec.Decode(d)).GroupBy(r => r.IsSuccess ? r.Message!.GetType().Name : $"invalid ({r.Error})")
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");
        output.WriteLine($"corpus ({corpusName}, seed {seed}): {corpus.Count} valid datagrams: {string.Join(", ", types)}");

        void Progress(long n) => output.WriteLine($"  {n:N0} inputs");
        var bound = TimeSpan.FromMilliseconds(boundMs);
        if (crypto == CryptoSettings.Off)
        {
            var report = new CodecFuzzer(corpus).Run(seed, count, bound, Progress, ct);
            output.Write(report.Summary());
            return report.Findings == 0 && report.Inputs == count ? 0 : 1;
        }

        // A real key and seeded IVs: the same seed replays the same sealed corpus and the same inputs.
        var random = new Random(seed);
        var key = new byte[AuthKeyBytes];
        random.NextBytes(key);
        using var path = new SealedDecodePath(crypto, key, iv => random.NextBytes(iv));
        var sealedTraffic = path.Seal(corpus);
        output.WriteLine($"crypto {TotemCrypto.Suite(crypto)}: mutations of the {sealedTraffic.Count} datagrams sealed, through open-then-decode");
        var wire = new CodecFuzzer(sealedTraffic, path.OpenThenDecode).Run(seed, count, bound, Progress, ct);
        output.Write(wire.Summary());
        output.WriteLine($"crypto {TotemCrypto.Suite(crypto)}: mutations of the clear datagrams, each sealed by a key holder, then open-then-decode");
        var keyHolder = new CodecFuzzer(corpus, path.SealThenOpenThenDecode, TotemCodec.Encode).Run(seed, count, bound, Progress, ct);
        output.Write(keyHolder.Summary());
        return wire.Findings + keyHolder.Findings == 0 && wire.Inputs == count && keyHolder.Inputs == count ? 0 : 1;
    }

    private const int AuthKeyBytes = 256;
}
