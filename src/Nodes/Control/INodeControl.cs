using Totem.Protocol.Config;
using Totem.Protocol.Store;

namespace Totem.Nodes.Control;

/// <summary>
/// What the host (control API, metrics, totemctl) may ask of one running node. Reads return immutable
/// snapshots the node's actors publish after each step, so a caller never waits on the token path;
/// commands are messages to the actors and complete when the owning actor has decided.
/// Every member is safe to call from any thread.
/// </summary>
public interface INodeControl
{
    /// <summary>The latest published view of ring, quorum, watchdog and links.</summary>
    NodeStatusSnapshot GetStatus();

    /// <summary>
    /// cmap-style keys in ordinal key order (runtime.config.totem.*, runtime.totem.pg.mrp.srp.*,
    /// runtime.votequorum.*), restricted to keys starting with <paramref name="prefix"/> when given.
    /// </summary>
    IReadOnlyList<CmapEntry> GetRuntime(string? prefix);

    /// <summary>The timing the node runs now (after any reload), what it was derived from, and its fencing.</summary>
    RunningTimeouts GetTimeouts();

    /// <summary>Queues an application message for multicast through the ring (agreed order).</summary>
    Task<SubmitResult> SubmitAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>
    /// Queues application messages for multicast, all or none: a full send queue refuses the whole batch
    /// (<see cref="SubmitRefusal.QueueFull"/>, CPG's CS_ERR_TRY_AGAIN) and the caller sends it again later. When accepted,
    /// the messages are the node's submissions <see cref="SubmitResult.SubmissionIndex"/> onwards, in batch order.
    /// The payloads must not change until the task completes.
    /// </summary>
    Task<SubmitResult> SubmitBatchAsync(IReadOnlyList<ReadOnlyMemory<byte>> payloads, CancellationToken cancellationToken);

    /// <summary>
    /// Application messages this node delivered, in delivery order, starting at delivery index
    /// <paramref name="from"/> (0-based), at most <paramref name="max"/>. Indexes are dense and never reused
    /// while the process lives; a node may forget the oldest ones (see <see cref="NodeMetrics.OldestRetainedMessage"/>).
    /// </summary>
    IReadOnlyList<DeliveredApplicationMessage> GetMessages(long from, int max);

    /// <summary>Opens a reader of the messages and configurations this node delivers from now on (the client socket's subscriptions).</summary>
    IDeliveryFeed OpenDeliveryFeed();

    /// <summary>Sets expected votes at run time, as `corosync-quorumtool -e` / `pvecm expected` do.</summary>
    Task<SetExpectedVotesResult> SetExpectedVotesAsync(uint votes, CancellationToken cancellationToken);

    /// <summary>
    /// `corosync-cfgtool -R`: every member of the ring re-reads its config file and takes the timing changes; completes
    /// when every member answered or <paramref name="wait"/> has passed.
    /// </summary>
    Task<ConfigReloadResult> ReloadConfigAsync(TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>
    /// A write to the replicated store (put, or remove with an empty value; <paramref name="expectedVersion"/>: only if the
    /// key is at that version, 0 for "does not exist"). Completes once the write is applied here in the ring's agreed
    /// order, or refused (without quorum at once: <c>cluster not ready - no quorum?</c>).
    /// </summary>
    Task<StoreWriteResult> WriteStoreAsync(StoreOp op, string path, byte[] value, ulong? expectedVersion, CancellationToken cancellationToken);

    /// <summary>A read of the local copy of the replicated store, which always works and says whether it is quorate and synchronized.</summary>
    Task<StoreReadResult> ReadStoreAsync(string path, bool list, CancellationToken cancellationToken);

    /// <summary>
    /// Events from the moment of subscription until <paramref name="cancellationToken"/> fires or the node
    /// stops. A slow reader loses the oldest undelivered events (reported as <see cref="EventsDropped"/>)
    /// rather than slowing the node.
    /// </summary>
    IAsyncEnumerable<ClusterEvent> SubscribeEvents(CancellationToken cancellationToken);

    /// <summary>The in-node fault injection applied to outgoing datagrams.</summary>
    FaultSettings GetFaults();

    /// <summary>
    /// Replaces the in-node fault injection; <see cref="FaultSettings.None"/> clears it. Throws
    /// <see cref="ArgumentException"/> naming the link when a link fault names a link the node does not run.
    /// </summary>
    void SetFaults(FaultSettings faults);

    /// <summary>Counters and gauges for /metrics.</summary>
    NodeMetrics GetMetrics();
}
