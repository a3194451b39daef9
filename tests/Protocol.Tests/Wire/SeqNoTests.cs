using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Wire;

public class SeqNoTests
{
    [Fact]
    public void The_last_sequence_number_precedes_zero()
    {
        Assert.True(SeqNo.Lt(0xFFFFFFFF, 0));
        Assert.True(SeqNo.Lte(0xFFFFFFFF, 0));
        Assert.True(SeqNo.Gt(0, 0xFFFFFFFF));
        Assert.True(SeqNo.Gte(0, 0xFFFFFFFF));
        Assert.False(SeqNo.Gt(0xFFFFFFFF, 0));
        Assert.False(SeqNo.Lt(0, 0xFFFFFFFF));
    }

    [Fact]
    public void Equal_numbers_are_neither_less_nor_greater()
    {
        foreach (var n in new uint[] { 0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF })
        {
            Assert.False(SeqNo.Lt(n, n));
            Assert.False(SeqNo.Gt(n, n));
            Assert.True(SeqNo.Lte(n, n));
            Assert.True(SeqNo.Gte(n, n));
            Assert.Equal(0, SeqNo.Distance(n, n));
        }
    }

    [Theory]
    [InlineData(0xFFFFFFFEu, 0xFFFFFFFFu)]
    [InlineData(0xFFFFFFFFu, 0u)]
    [InlineData(0xFFFFFFF0u, 0x10u)]
    [InlineData(0x7FFFFFFFu, 0x80000000u)]
    [InlineData(5u, 6u)]
    public void Order_holds_across_the_wrap(uint earlier, uint later)
    {
        Assert.True(SeqNo.Lt(earlier, later));
        Assert.True(SeqNo.Gt(later, earlier));
        Assert.Equal(later, SeqNo.Max(earlier, later));
        Assert.Equal(later, SeqNo.Max(later, earlier));
        Assert.Equal(earlier, SeqNo.Min(earlier, later));
        Assert.Equal(earlier, SeqNo.Min(later, earlier));
    }

    [Fact]
    public void Distance_counts_forward_through_the_wrap()
    {
        Assert.Equal(1, SeqNo.Distance(0xFFFFFFFF, 0));
        Assert.Equal(-1, SeqNo.Distance(0, 0xFFFFFFFF));
        Assert.Equal(0x20, SeqNo.Distance(0xFFFFFFF0, 0x10));
        Assert.Equal(int.MaxValue, SeqNo.Distance(0, 0x7FFFFFFF));
    }

    [Fact]
    public void Order_is_consistent_with_distance_within_half_the_number_space()
    {
        var rng = new Random(42);
        for (var i = 0; i < 10_000; i++)
        {
            var a = (uint)rng.NextInt64(0, 1L << 32);
            var step = rng.Next(1, int.MaxValue);
            var b = unchecked(a + (uint)step);

            Assert.True(SeqNo.Lt(a, b), $"{a:x} < {b:x}");
            Assert.Equal(step, SeqNo.Distance(a, b));
            Assert.Equal(-step, SeqNo.Distance(b, a));
        }
    }
}
