using System.Buffers.Binary;
using System.Numerics;
using Totem.Protocol.Security;

namespace Totem.Protocol.Tests.Security;

public sealed class CounterIvSourceTests
{
    private const int Count = 100_000;

    private static UInt128[] Ivs(CounterIvSource source, int count)
    {
        var ivs = new UInt128[count];
        Span<byte> iv = stackalloc byte[16];
        for (var i = 0; i < count; i++)
        {
            source.Fill(iv);
            ivs[i] = BinaryPrimitives.ReadUInt128BigEndian(iv);
        }
        return ivs;
    }

    [Fact]
    public void No_IV_repeats_and_no_two_sources_share_a_stream()
    {
        using var a = new CounterIvSource();
        using var b = new CounterIvSource();
        var first = Ivs(a, Count);
        Assert.Equal(Count, first.Distinct().Count());
        Assert.Empty(first.Intersect(Ivs(b, Count)));
    }

    [Fact]
    public void The_IVs_look_random_not_like_the_counter_they_are_made_of()
    {
        // A counter (or anything of low weight) would have about 8 of 128 bits set; AES's output has 64 +- 5.7 each.
        using var source = new CounterIvSource();
        var ivs = Ivs(source, Count);
        double bits = ivs.Sum(iv => BitOperations.PopCount((ulong)iv) + BitOperations.PopCount((ulong)(iv >> 64)));
        var mean = bits / Count;
        Assert.InRange(mean, 63.9, 64.1); // 4 standard errors (5.66 / sqrt(100000) = 0.018) each way and more
        // Consecutive IVs differ in about half their bits too (a counter's differ in one or two).
        var flips = 0.0;
        for (var i = 1; i < ivs.Length; i++)
        {
            var x = ivs[i] ^ ivs[i - 1];
            flips += BitOperations.PopCount((ulong)x) + BitOperations.PopCount((ulong)(x >> 64));
        }
        Assert.InRange(flips / (Count - 1), 63.9, 64.1);
    }

    [Fact]
    public void A_fill_of_any_length_takes_the_stream_s_next_bytes()
    {
        using var source = new CounterIvSource();
        var odd = new byte[5 * 1024 + 7]; // across batch boundaries, not a whole number of IVs
        source.Fill(odd);
        Assert.True(odd.Chunk(16).Where(c => c.Length == 16).Select(c => BinaryPrimitives.ReadUInt128BigEndian(c)).Distinct().Count() == odd.Length / 16);
        Assert.NotEqual(0, odd[^1] | odd[^2] | odd[^3] | odd[^4]); // the tail was written (2^-32 to fail by chance)
    }
}
