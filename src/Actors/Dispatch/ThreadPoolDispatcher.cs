using Totem.Actors.Cells;

namespace Totem.Actors.Dispatch;

internal sealed class ThreadPoolDispatcher(TimeProvider timeProvider, int throughput) : Dispatcher
{
    public override TimeProvider TimeProvider { get; } = timeProvider;

    public int Throughput { get; } = throughput > 0
        ? throughput
        : throw new ArgumentOutOfRangeException(nameof(throughput), throughput, "Throughput must be at least 1.");

    public override Mailbox CreateMailbox(ActorCell cell) => new ThreadPoolMailbox(cell, Throughput);
}
