namespace Totem.Nodes.Transport;

/// <summary>
/// The one rate limit of the receive path's drop lines (malformed, unauthenticated, unlisted source): a counter's
/// 1st, 2nd, 4th, 8th... occurrence is logged, so a flood of bad datagrams costs log lines that grow with its
/// logarithm while the counters keep the exact numbers.
/// </summary>
public static class FloodLog
{
    /// <summary>Whether the <paramref name="count"/>-th occurrence (counted from 1) gets its line.</summary>
    public static bool Logs(long count) => (count & (count - 1)) == 0;
}
