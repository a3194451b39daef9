namespace Totem.Actors.Dispatch;

/// <summary>The simulation's clock as a TimeProvider: time moves only when the simulation runs events.</summary>
internal sealed class VirtualTimeProvider(Simulation simulation) : TimeProvider
{
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => simulation.Now;

    public override long GetTimestamp() => simulation.NowTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new VirtualTimer(simulation, callback, state, dueTime, period);
    }
}
