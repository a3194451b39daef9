using Serilog;

namespace Totem.Actors;

public sealed record ActorSystemSettings
{
    public static ActorSystemSettings Default { get; } = new();

    public FailurePolicy FailurePolicy { get; init; } = FailurePolicy.Restart;

    /// <summary>The clock of the thread-pool dispatcher and its scheduler; TimeProvider.System when null.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Logger for supervision and dead letters; Serilog's global Log.Logger when null.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Messages an actor processes on the thread pool before yielding the thread to other actors.</summary>
    public int Throughput { get; init; } = 30;
}
