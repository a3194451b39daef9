using Totem.Host.Totemd;

namespace Totem.Host.Tests.Totemd;

public sealed class IdleMemoryTrimTests
{
    [Theory]
    // A burst, then a quiet interval: trim.
    [InlineData(IdleMemoryTrim.BusyBytes, 0, true)]
    [InlineData(IdleMemoryTrim.BusyBytes * 4, IdleMemoryTrim.IdleBytes - 1, true)]
    // Still busy: never during traffic.
    [InlineData(IdleMemoryTrim.BusyBytes * 4, IdleMemoryTrim.IdleBytes, false)]
    // Quiet, but too little since the last trim: an idle node's own ticks never add up to a collection a second.
    [InlineData(IdleMemoryTrim.BusyBytes - 1, 0, false)]
    [InlineData(0, 0, false)]
    public void Trims_once_traffic_stops_after_a_burst_and_never_during_it(long sinceTrim, long thisInterval, bool trims) =>
        Assert.Equal(trims, IdleMemoryTrim.ShouldTrim(sinceTrim, thisInterval));
}
