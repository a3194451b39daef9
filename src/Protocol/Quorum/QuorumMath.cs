namespace Totem.Protocol.Quorum;

/// <summary>The one place for the majority formula (votequorum's calculate_quorum, from the OpenVMS cluster manual).</summary>
public static class QuorumMath
{
    /// <summary>floor(votes / 2) + 1: the smallest number of votes that is more than half of <paramref name="votes"/>.</summary>
    public static uint MajorityOf(uint votes) => votes / 2 + 1;
}
