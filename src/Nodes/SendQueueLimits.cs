using Totem.Protocol.Pg;
using Totem.Protocol.Srp;

namespace Totem.Nodes;

/// <summary>
/// How much submitted traffic may wait in the node for the token (corosync's MESSAGE_QUEUE_MAX, in messages, and a
/// budget in bytes, which corosync leaves to the IPC buffers): a submission that does not fit is refused as a full queue
/// (HTTP 503, a client socket's TRY_AGAIN, CPG's CS_ERR_TRY_AGAIN) and the client sends it again later. The bytes bound
/// the node's memory whatever the message size: 2048 messages of 1 MiB would otherwise be 2 GiB.
/// </summary>
public sealed record SendQueueLimits
{
    public const int DefaultMessages = SrpOptions.DefaultMaxPendingMessages;
    public const long DefaultBytes = SrpOptions.DefaultMaxPendingBytes;

    public SendQueueLimits(int messages, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messages, 1);
        // One message of the largest size must fit an empty queue, or it could never be sent.
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, PgLimits.MaxMessageBytes);
        Messages = messages;
        Bytes = bytes;
    }

    public int Messages { get; }
    public long Bytes { get; }

    /// <summary>totemd's reference.conf defaults (totemd.send-queue).</summary>
    public static SendQueueLimits Default { get; } = new(DefaultMessages, DefaultBytes);
}
