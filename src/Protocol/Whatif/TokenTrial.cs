namespace Totem.Protocol.Whatif;

/// <summary>
/// One token tried on a profile: the effective token and the consensus it ran with, the spurious membership changes a
/// year it is predicted to cause (measured, or extrapolated from the gap tail: <see cref="SpuriousRate"/>), and the
/// failover time it costs (fault to new membership, <c>FailoverWindow</c>'s upper end).
/// </summary>
public sealed record TokenTrial(uint TokenMs, uint ConsensusMs, double SpuriousPerYear, double FailoverMs);
