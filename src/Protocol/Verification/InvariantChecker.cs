using Totem.Protocol.Wire;

namespace Totem.Protocol.Verification;

/// <summary>
/// Judges recorded node histories against Totem's extended virtual synchrony. Each violation is one
/// human-readable line that starts with its invariant's name (see <see cref="Invariants"/>) and names
/// the nodes, rings and sequence numbers involved; an empty list means the run was correct.
/// </summary>
/// <remarks>
/// Conventions are corosync's: a configuration change delivers the transitional configuration and then
/// the regular one, both carrying the new ring's id; messages of the old ring may be delivered before
/// and after the transitional configuration (recovery) and still belong to the old ring; messages keep
/// the ring id and seq they were first sent with.
/// </remarks>
public sealed class InvariantChecker
{
    private readonly Func<ValueList<byte>, string> _messageId;
    private readonly bool _syncRecorded;

    /// <param name="messageId">Names a message by its payload; with the source node it must be unique in the run. Defaults to the payload bytes in hex.</param>
    /// <param name="syncRecorded">The histories record each node's service sync completions (<see cref="ServiceSyncCompleted"/>), and
    /// every delivered message is the application's: judge the <see cref="Invariants.ServiceSync"/> invariant.</param>
    public InvariantChecker(Func<ValueList<byte>, string>? messageId = null, bool syncRecorded = false)
    {
        _messageId = messageId ?? (payload => Convert.ToHexString(payload.Items.AsSpan()));
        _syncRecorded = syncRecorded;
    }

    /// <param name="incarnations">Every incarnation of every node, each node's in order (as <see cref="DeliveryRecorder.Incarnations"/> gives them).</param>
    /// <param name="livenessExpected">The run settled before it ended: survivors must have finished their configuration changes,
    /// agree on their final rings, and have delivered everything they submitted and everything their final ring carried.</param>
    public IReadOnlyList<string> Check(IReadOnlyList<Incarnation> incarnations, bool livenessExpected) =>
        new HistoryAnalysis(incarnations, _messageId, _syncRecorded).Check(livenessExpected);
}
