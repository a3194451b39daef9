using Totem.Protocol.Config;

namespace Totem.Protocol.Links;

/// <summary>
/// One knet link as it runs: its number, its passive-mode priority and its heartbeat (a ping every
/// <see cref="PingInterval"/>, down after <see cref="PingTimeout"/> without a pong, up again after
/// <see cref="PongCount"/> pongs).
/// </summary>
public sealed record LinkSettings(uint LinkNumber, byte Priority, TimeSpan PingInterval, TimeSpan PingTimeout, int PongCount)
{
    /// <summary>knet's links: 0..7.</summary>
    public const uint MaxLinks = 8;

    /// <summary>corosync's knet_link_priority when the interface block sets none.</summary>
    public const byte DefaultPriority = 1;

    /// <summary>corosync's knet_pong_count default (KNET_PONG_COUNT... 2 in corosync.conf(5)).</summary>
    public const uint DefaultPongCount = 2;

    /// <summary>
    /// The one place for corosync's heartbeat derivation (exec/totemconfig.c, corosync.conf(5)): unless set,
    /// knet_ping_timeout = effective token / knet_pong_count and knet_ping_interval = effective token /
    /// (knet_pong_count x 2), in whole milliseconds (C's unsigned division); each of the pair is derived on its own
    /// when only the other is set. With the default pong count that is token / 2 and token / 4.
    /// </summary>
    /// <param name="linkNumber">The link, 0..7.</param>
    /// <param name="block">The link's <c>interface { }</c> block, or null when the file has none for it.</param>
    /// <param name="effectiveToken">The effective token timeout (ms), after token_coefficient.</param>
    public static LinkSettings Derive(uint linkNumber, TotemInterface? block, uint effectiveToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(linkNumber, MaxLinks);
        var pongCount = block?.KnetPongCount is { } pongs and > 0 ? pongs : DefaultPongCount;
        var timeout = block?.KnetPingTimeout is { } t and > 0 ? t : effectiveToken / pongCount;
        var interval = block?.KnetPingInterval is { } i and > 0 ? i : effectiveToken / (pongCount * 2);
        return new LinkSettings(
            linkNumber,
            block?.KnetLinkPriority ?? DefaultPriority,
            TimeSpan.FromMilliseconds(interval),
            TimeSpan.FromMilliseconds(timeout),
            (int)pongCount);
    }

    /// <summary>
    /// The links a ring runs: one per link number, each tuned by its interface block when there is one.
    /// </summary>
    public static IReadOnlyList<LinkSettings> For(IEnumerable<uint> linkNumbers, TotemSettings totem, TotemTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(totem);
        ArgumentNullException.ThrowIfNull(timeouts);
        return linkNumbers.Distinct().Order()
            .Select(n => Derive(n, totem.Interfaces.FirstOrDefault(i => i.LinkNumber == n), timeouts.Token))
            .ToList();
    }
}
