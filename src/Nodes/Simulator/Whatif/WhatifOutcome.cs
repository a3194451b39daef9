using Totem.Protocol.Whatif;

namespace Totem.Nodes.Simulator.Whatif;

/// <summary>
/// One seed of a what-if run: how long it ran in virtual time, the stalls and jitter bursts it injected, and what the
/// ring did that no real failure asked for: token losses the engines declared, membership changes (distinct new rings
/// after the first full one), nodes losing quorum, fencings; and every token-loss-timer gap, and those no stall overlapped (<see cref="RingWatch"/>).
/// </summary>
public sealed record WhatifOutcome(int Seed, TimeSpan Virtual, int Stalls, int Bursts, int TokenLosses, int MembershipChanges, int QuorumLosses, int Fencings, long PausesDetected, GapHistogram Gaps, GapHistogram QuietGaps)
{
    public double PerDay(int count) => count / Virtual.TotalDays;
}
