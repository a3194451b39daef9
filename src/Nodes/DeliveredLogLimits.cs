namespace Totem.Nodes;

/// <summary>
/// How much of the delivered application messages a node keeps for GET /v1/messages: at most <see cref="Messages"/>
/// messages and <see cref="Bytes"/> bytes of payload, the oldest dropped first (their indexes stay taken, so a reader
/// sees where it lost some). corosync keeps none (a CPG client gets each message once); the log is for the control
/// API and tests, and must not grow with the traffic: 100,000 retained messages of 1 KiB were ~100 MiB per node.
/// </summary>
public sealed record DeliveredLogLimits
{
    public const int DefaultMessages = 10_000;
    public const long DefaultBytes = 16L * 1024 * 1024;

    public DeliveredLogLimits(int messages, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(messages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        Messages = messages;
        Bytes = bytes;
    }

    public int Messages { get; }
    public long Bytes { get; }

    /// <summary>totemd's reference.conf defaults (totemd.delivered-log).</summary>
    public static DeliveredLogLimits Default { get; } = new(DefaultMessages, DefaultBytes);
}
