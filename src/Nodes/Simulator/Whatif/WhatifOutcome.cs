namespace Totem.Nodes.Simulator.Whatif;

/// <summary>
/// One seed of a what-if run: how long it ran in virtual time, the stalls it injected, and what the ring did that no
/// real failure asked for: membership changes (distinct new rings after the first full one) and fencings.
/// </summary>
public sealed record WhatifOutcome(int Seed, TimeSpan Virtual, int Stalls, int MembershipChanges, int Fencings, long PausesDetected)
{
    public double PerDay(int count) => count / Virtual.TotalDays;
}
