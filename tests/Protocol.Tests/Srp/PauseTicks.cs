using System.Runtime.CompilerServices;
using Totem.Protocol.Srp;

namespace Totem.Protocol.Tests.Srp;

/// <summary>
/// For tests that drive one engine by hand across seconds: delivers the pause timer's expiries a running host would
/// have delivered before each input (token / 5 apart), so that a jump of the test's clock is not a process pause.
/// </summary>
internal static class PauseTicks
{
    private sealed class LastTick
    {
        public long AtMs;
    }

    private static readonly ConditionalWeakTable<TotemSrp, LastTick> Ticks = new();

    /// <summary>Every engine of these tests runs corosync's defaults for 5 nodes.</summary>
    private static readonly uint TokenMs = CorosyncDefaults.For(5).Token;

    public static IReadOnlyList<SrpOutput> Ticking(this TotemSrp engine, SrpInput input, long nowMs)
    {
        var last = Ticks.GetOrCreateValue(engine);
        var interval = new PauseDetector(TokenMs, 0).TickIntervalMs;
        while (last.AtMs + interval <= nowMs)
        {
            last.AtMs += interval;
            engine.Handle(new TimerExpired(SrpTimer.Pause), last.AtMs);
        }
        return engine.Handle(input, nowMs);
    }
}
