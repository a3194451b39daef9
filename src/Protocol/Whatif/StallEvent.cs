namespace Totem.Protocol.Whatif;

/// <summary>Who a stall freezes: one node (a different one each time, drawn per seed), every node, or one given node.</summary>
public enum StallScope
{
    OneNode,
    AllNodes,
    GivenNode,
}

/// <summary>
/// "400ms every 10m on one": a freeze of <see cref="Duration"/> happening on average once per <see cref="Period"/>
/// (Poisson arrivals, so runs of a few hours still see rare events at their rate). <see cref="Node"/> is the node
/// for <see cref="StallScope.GivenNode"/>.
/// </summary>
public sealed record StallEvent(TimeSpan Duration, TimeSpan Period, StallScope Scope, uint? Node, int Line);
