namespace Totem.Protocol.Wire;

/// <summary>
/// 32-bit message sequence numbers wrap; order is decided by the signed distance, as corosync's
/// sq_lt_compare does, so 0xFFFFFFFF precedes 0 and comparisons hold within half the number space.
/// </summary>
public static class SeqNo
{
    public static bool Lt(uint a, uint b) => (int)(a - b) < 0;
    public static bool Lte(uint a, uint b) => (int)(a - b) <= 0;
    public static bool Gt(uint a, uint b) => (int)(a - b) > 0;
    public static bool Gte(uint a, uint b) => (int)(a - b) >= 0;
    public static uint Max(uint a, uint b) => Gt(a, b) ? a : b;
    public static uint Min(uint a, uint b) => Lt(a, b) ? a : b;
    /// <summary>How far b is ahead of a (negative when behind).</summary>
    public static int Distance(uint a, uint b) => (int)(b - a);
}
