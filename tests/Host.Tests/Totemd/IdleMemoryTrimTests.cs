using Totem.Host.Totemd;

namespace Totem.Host.Tests.Totemd;

public sealed class IdleMemoryTrimTests
{
    [Theory]
    // Grown during a burst, then a quiet interval: trim.
    [InlineData(IdleMemoryTrim.GrowthBytes, 0, true)]
    [InlineData(IdleMemoryTrim.GrowthBytes * 10, IdleMemoryTrim.IdleBytes - 1, true)]
    // Still busy: never during traffic.
    [InlineData(IdleMemoryTrim.GrowthBytes * 10, IdleMemoryTrim.IdleBytes, false)]
    // Quiet, but grown too little since the last trim: nothing worth a collection (no trim a second on an idle node).
    [InlineData(IdleMemoryTrim.GrowthBytes - 1, 0, false)]
    [InlineData(0, 0, false)]
    [InlineData(-IdleMemoryTrim.GrowthBytes, 0, false)]
    public void Trims_once_traffic_stops_after_the_working_set_grew_and_never_during_traffic(long sinceTrim, long thisInterval, bool trims) =>
        Assert.Equal(trims, IdleMemoryTrim.ShouldTrim(sinceTrim, thisInterval));
}
