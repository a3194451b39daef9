using Totem.Protocol.Config;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Srp;

/// <summary>What a <see cref="TotemSrp"/> engine is built from.</summary>
/// <param name="LocalNode">This processor's node id; zero is reserved (corosync's "no node").</param>
/// <param name="Timeouts">The derived runtime timeouts and constants (effective token, consensus, ...).</param>
public sealed record SrpOptions(NodeId LocalNode, TotemTimeouts Timeouts)
{
    /// <summary>
    /// The highest ring seq this node saw before it restarted (corosync keeps it in ringid_&lt;nodeid&gt;).
    /// The node starts its singleton ring id one above it, so its joins are not mistaken for stale ones.
    /// </summary>
    public ulong InitialRingSeq { get; init; }

    /// <summary>How many submitted messages may wait for the token before a submit is refused (corosync's MESSAGE_QUEUE_MAX).</summary>
    public const int DefaultMaxPendingMessages = 2048;

    public int MaxPendingMessages { get; init; } = DefaultMaxPendingMessages;

    /// <summary>
    /// Bytes of submitted messages that may wait for the token before a submit is refused: the message count alone lets
    /// 2048 messages of 1 MiB (2 GiB) queue up. 8 MiB is about 6,000 frames of 1.4 KB, over a hundred token visits at
    /// max_messages 17 per visit: the queue never runs dry between two visits while a client keeps it full.
    /// </summary>
    public const long DefaultMaxPendingBytes = 8L * 1024 * 1024;

    /// <summary>At least one message of the largest size (<see cref="Pg.PgLimits.MaxMessageBytes"/>), so any message fits an empty queue.</summary>
    public long MaxPendingBytes { get; init; } = DefaultMaxPendingBytes;

    /// <summary>totem.netmtu: a multicast's datagram never exceeds it, so messages are packed and fragmented into frames that fit.</summary>
    public int NetMtu { get; init; } = (int)TotemTimeoutRules.NetMtu;

    /// <summary>corosync's totem.cancel_token_hold_on_retransmit: release a held token at once when retransmissions are pending.</summary>
    public bool CancelTokenHoldOnRetransmit { get; init; }

    internal void Validate()
    {
        if (LocalNode.Value == 0)
            throw new ArgumentException("SrpOptions.LocalNode must not be 0: node id 0 is reserved", nameof(LocalNode));
        ArgumentNullException.ThrowIfNull(Timeouts, nameof(Timeouts));
        if (Timeouts.Token == 0)
            throw new ArgumentException("SrpOptions.Timeouts.Token must be greater than 0", nameof(Timeouts));
        if (Timeouts.TokenRetransmit == 0 || Timeouts.Join == 0 || Timeouts.Consensus == 0 || Timeouts.Merge == 0)
            throw new ArgumentException("SrpOptions.Timeouts: token_retransmit, join, consensus and merge must be greater than 0", nameof(Timeouts));
        if (Timeouts.MaxMessages == 0 || Timeouts.WindowSize == 0)
            throw new ArgumentException("SrpOptions.Timeouts: max_messages and window_size must be greater than 0", nameof(Timeouts));
        if (NetMtu < Pg.PgLimits.MinNetMtu)
            throw new ArgumentException($"SrpOptions.NetMtu is {NetMtu}; it must be at least {Pg.PgLimits.MinNetMtu}", nameof(NetMtu));
        if (MaxPendingMessages <= 0)
            throw new ArgumentException("SrpOptions.MaxPendingMessages must be greater than 0", nameof(MaxPendingMessages));
        if (MaxPendingBytes < Pg.PgLimits.MaxMessageBytes)
            throw new ArgumentException($"SrpOptions.MaxPendingBytes is {MaxPendingBytes}; it must be at least {Pg.PgLimits.MaxMessageBytes} (one message of the largest size)", nameof(MaxPendingBytes));
    }
}
