using System.Collections.Immutable;
using System.Diagnostics;

namespace Totem.Protocol.Wire.Fuzzing;

/// <summary>The decode path under test: what every received datagram goes through before an actor sees it.</summary>
public delegate DecodeResult DatagramDecoder(ReadOnlySpan<byte> datagram);

/// <summary>
/// Seeded mutation fuzzing of the decode path. The codec's documented rejection is a <see cref="DecodeResult"/>
/// failure with a reason and a detail; anything else is a finding: an exception, a failure without detail,
/// an input slower than the bound (a hang in the small), or an accepted input that does not re-encode to
/// itself (two encodings of one message would let a forged variant pass for the original).
/// </summary>
public sealed class CodecFuzzer
{
    private const int KeptFindings = 20;
    private readonly IReadOnlyList<byte[]> _corpus;
    private readonly DatagramDecoder _decode;
    private readonly Func<TotemMessage, byte[]>? _encode;

    /// <param name="corpus">Valid datagrams to mutate.</param>
    /// <param name="decode">The decode path; the plain codec by default.</param>
    /// <param name="encode">Re-encodes what was accepted, to check it is canonical; null skips the check (a decode path that unwraps more than the codec).</param>
    public CodecFuzzer(IReadOnlyList<byte[]> corpus, DatagramDecoder? decode = null, Func<TotemMessage, byte[]>? encode = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (corpus.Count == 0) throw new ArgumentException("The corpus is empty: there is nothing to mutate.", nameof(corpus));
        _corpus = corpus;
        _decode = decode ?? TotemCodec.Decode;
        _encode = decode is null ? encode ?? TotemCodec.Encode : encode;
    }

    /// <summary>Decodes <paramref name="count"/> mutated inputs; the same seed and corpus give the same inputs.</summary>
    /// <param name="perInputBound">An input that takes longer is a finding.</param>
    /// <param name="progress">Called every 100,000 inputs with the count so far.</param>
    public FuzzReport Run(int seed, long count, TimeSpan perInputBound, Action<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var random = new Random(seed);
        var mutator = new DatagramMutator(random);
        var rejected = new Dictionary<DecodeError, long>();
        var byMutation = new Dictionary<MutationKind, long>();
        var kept = ImmutableArray.CreateBuilder<FuzzFinding>();
        long accepted = 0, findings = 0, inputs = 0;
        var slowest = 0L;
        var bound = (long)(perInputBound.TotalSeconds * Stopwatch.Frequency);
        var watch = Stopwatch.StartNew();

        void Found(long input, MutationKind kind, string problem, byte[] packet)
        {
            findings++;
            if (kept.Count < KeptFindings) kept.Add(new FuzzFinding(input, kind, problem, Convert.ToHexString(packet)));
        }

        for (; inputs < count && !cancellationToken.IsCancellationRequested; inputs++)
        {
            if (progress is not null && inputs > 0 && inputs % 100_000 == 0) progress(inputs);
            var packet = mutator.Mutate(_corpus[random.Next(_corpus.Count)], _corpus[random.Next(_corpus.Count)], out var kind);
            byMutation[kind] = byMutation.GetValueOrDefault(kind) + 1;

            DecodeResult result;
            var started = Stopwatch.GetTimestamp();
            try
            {
                result = _decode(packet);
            }
            catch (Exception e)
            {
                Found(inputs, kind, $"threw {e.GetType().Name}: {e.Message}", packet);
                continue;
            }
            var took = Stopwatch.GetTimestamp() - started;
            // A slow decode is timed again: a GC pause, the first call's JIT or a loaded machine's stall is
            // slow once, an input that makes the decoder loop is slow every time.
            for (var retry = 0; retry < 2 && took > bound; retry++) took = Math.Min(took, TimeDecode(packet));
            if (took > slowest) slowest = took;
            if (took > bound) Found(inputs, kind, $"took {took * 1000.0 / Stopwatch.Frequency:F1} ms (bound {perInputBound.TotalMilliseconds} ms)", packet);

            if (!result.IsSuccess)
            {
                var error = result.Error!.Value;
                rejected[error] = rejected.GetValueOrDefault(error) + 1;
                if (string.IsNullOrEmpty(result.Detail)) Found(inputs, kind, $"rejected as {error} without a detail", packet);
                continue;
            }
            accepted++;
            if (_encode is null) continue;
            byte[] again;
            try
            {
                again = _encode(result.Message);
            }
            catch (Exception e)
            {
                Found(inputs, kind, $"accepted as {result.Message} but re-encoding threw {e.GetType().Name}: {e.Message}", packet);
                continue;
            }
            if (!again.AsSpan().SequenceEqual(packet))
                Found(inputs, kind, $"accepted as {result.Message} but re-encodes to {Convert.ToHexString(again)}", packet);
        }

        return new FuzzReport(seed, inputs, accepted, rejected.ToImmutableSortedDictionary(), byMutation.ToImmutableSortedDictionary(),
            findings, kept.ToImmutable(), TimeSpan.FromSeconds((double)slowest / Stopwatch.Frequency), watch.Elapsed);
    }

    private long TimeDecode(byte[] packet)
    {
        var started = Stopwatch.GetTimestamp();
        _decode(packet);
        return Stopwatch.GetTimestamp() - started;
    }
}
