using Totem.Protocol.Security;
using Totem.Protocol.Wire;
using Totem.Protocol.Wire.Fuzzing;

namespace Totem.Protocol.Tests.Wire;

/// <summary>
/// The short seeded run of the decode-path fuzzer (the long one: <c>totembench fuzz</c>). Mutations of ring
/// traffic and of edge-valued messages must only ever be rejected with a reason, or accepted canonically.
/// </summary>
public class TotemCodecFuzzTests
{
    private const int Iterations = 40_000;
    private const int PoolSize = 2_000;

    // Generous for one decode even on a loaded 2-core CI machine; a real hang is caught by the run's own timeout.
    private static readonly TimeSpan PerInputBound = TimeSpan.FromMilliseconds(250);

    private static IReadOnlyList<byte[]> Corpus(int seed)
    {
        var rng = new Random(seed);
        return
        [
            .. WireCorpus.RingTraffic(seed),
            .. Enumerable.Range(0, PoolSize).Select(_ => TotemCodec.Encode(MessageSamples.Random(rng))),
            .. MessageSamples.Minimal().Concat(MessageSamples.Maximal()).Select(TotemCodec.Encode),
        ];
    }

    private static FuzzReport RunBounded(CodecFuzzer fuzzer, int seed, int count, TimeSpan perInput)
    {
        var run = Task.Run(() => fuzzer.Run(seed, count, perInput));
        Assert.True(run.Wait(TimeSpan.FromSeconds(60)), $"{count} inputs did not finish within 60 s: a decode hangs");
        return run.Result;
    }

    [Fact]
    public void Mutated_packets_never_throw_or_hang_and_accepted_ones_are_canonical()
    {
        var report = RunBounded(new CodecFuzzer(Corpus(0x7075)), 0x7075, Iterations, PerInputBound);

        Assert.True(report.Findings == 0, report.Summary());
        Assert.Equal(Iterations, report.Inputs);
        Assert.Equal(Iterations, report.Accepted + report.RejectedTotal);
        // The mutations must have exercised both outcomes, the main rejection paths and every mutation.
        Assert.True(report.Accepted > Iterations / 20, $"only {report.Accepted} mutated packets decoded\n{report.Summary()}");
        foreach (var expected in new[]
                 {
                     DecodeError.TooShort, DecodeError.BadMagic, DecodeError.UnsupportedVersion, DecodeError.UnknownType,
                     DecodeError.Truncated, DecodeError.LengthMismatch, DecodeError.ListTooLong, DecodeError.InvalidValue,
                 })
            Assert.True(report.Rejected.ContainsKey(expected), $"no {expected}\n{report.Summary()}");
        Assert.Equal(Enum.GetValues<MutationKind>().Order(), report.ByMutation.Keys.Order());
    }

    private static readonly CryptoSettings Aes256Sha256 = new(CryptoCipher.Aes256, CryptoHash.Sha256);

    private static SealedDecodePath SealedPath(int seed)
    {
        var key = new byte[256];
        var random = new Random(seed);
        random.NextBytes(key);
        return new SealedDecodePath(Aes256Sha256, key, iv => random.NextBytes(iv));
    }

    [Fact]
    public void Mutations_of_sealed_traffic_are_refused_by_the_seal_or_opened_and_decoded_never_thrown_or_hung()
    {
        using var path = SealedPath(0x5ea1);
        var sealedTraffic = path.Seal(Corpus(0x5ea1));
        var report = RunBounded(new CodecFuzzer(sealedTraffic, path.OpenThenDecode), 0x5ea1, Iterations / 4, PerInputBound);

        Assert.True(report.Findings == 0, report.Summary());
        Assert.Equal(Iterations / 4, report.Accepted + report.RejectedTotal);
        // Without the key a changed byte never passes: everything the seal let through is an unchanged first copy.
        Assert.True(report.Rejected.GetValueOrDefault(DecodeError.Unauthenticated) >= Iterations / 4 - sealedTraffic.Count, report.Summary());
        Assert.Equal([DecodeError.Unauthenticated], report.Rejected.Keys);
    }

    [Fact]
    public void Mutations_a_key_holder_seals_reach_the_decoder_behind_the_seal_and_are_rejected_with_a_reason_or_accepted_canonically()
    {
        using var path = SealedPath(0x6b65);
        var report = RunBounded(new CodecFuzzer(Corpus(0x6b65), path.SealThenOpenThenDecode, TotemCodec.Encode), 0x6b65, Iterations / 4, PerInputBound);

        Assert.True(report.Findings == 0, report.Summary());
        Assert.True(report.Accepted > Iterations / 80, report.Summary());
        Assert.False(report.Rejected.ContainsKey(DecodeError.Unauthenticated), report.Summary());
        Assert.True(report.Rejected.ContainsKey(DecodeError.Truncated) && report.Rejected.ContainsKey(DecodeError.BadMagic), report.Summary());
    }

    [Fact]
    public void The_ring_traffic_corpus_is_valid_and_has_every_message_type()
    {
        var decoded = WireCorpus.RingTraffic(1).Select(d => TotemCodec.Decode(d)).ToList();
        Assert.All(decoded, r => Assert.True(r.IsSuccess, r.ToString()));
        Assert.Equal(TotemCodec.SupportedMessageClasses.Select(t => t.Name).Order(), decoded.Select(r => r.Message!.GetType().Name).Distinct().Order());
        Assert.Contains(decoded, r => r.Message is McastMessage { Encapsulated: not null });
        Assert.Contains(decoded, r => r.Message is OrfToken { RetransmitList.Count: > 0 });
    }

    [Fact]
    public void The_same_seed_gives_the_same_run()
    {
        var corpus = WireCorpus.RingTraffic(3);
        var a = new CodecFuzzer(corpus).Run(5, 5_000, PerInputBound);
        var b = new CodecFuzzer(corpus).Run(5, 5_000, PerInputBound);
        Assert.Equal(a.Accepted, b.Accepted);
        Assert.Equal(a.Rejected, b.Rejected);
        Assert.Equal(a.ByMutation, b.ByMutation);
    }

    [Fact]
    public void A_decoder_that_throws_hangs_briefly_or_accepts_non_canonically_is_reported()
    {
        var corpus = WireCorpus.RingTraffic(2);
        // Stand-ins for the bugs the fuzzer is for: each must show as findings, not pass or crash the run.
        var throwing = RunBounded(new CodecFuzzer(corpus, d => d.Length % 7 == 0 ? throw new IndexOutOfRangeException() : TotemCodec.Decode(d)), 1, 2_000, PerInputBound);
        Assert.True(throwing.Findings > 0);
        Assert.Contains("threw IndexOutOfRangeException", throwing.FirstFindings[0].Problem);
        Assert.All(throwing.FirstFindings, f => Assert.Equal(0, f.InputHex.Length / 2 % 7));

        var slow = RunBounded(new CodecFuzzer(corpus, d =>
        {
            if (d.Length % 101 == 0) Thread.Sleep(30);
            return TotemCodec.Decode(d);
        }), 1, 2_000, TimeSpan.FromMilliseconds(10));
        Assert.True(slow.Findings > 0);
        Assert.Contains("took", slow.FirstFindings[0].Problem);
        Assert.All(slow.FirstFindings, f => Assert.Equal(0, f.InputHex.Length / 2 % 101));

        var lax = RunBounded(new CodecFuzzer(corpus, d => TotemCodec.Decode(d.Length > TotemCodec.HeaderSize + 20 ? d[..^1] : d), TotemCodec.Encode), 1, 2_000, PerInputBound);
        Assert.True(lax.Findings > 0);
        Assert.Contains("re-encodes to", lax.FirstFindings[0].Problem);
    }
}
