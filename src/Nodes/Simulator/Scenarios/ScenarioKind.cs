namespace Totem.Nodes.Simulator.Scenarios;

/// <summary>The seeded random scenario families of the simulator (see <see cref="RandomScenarios"/>).</summary>
public enum ScenarioKind
{
    /// <summary>Fixed membership under loss, duplication, delay and jitter (reordering), sustained traffic from every node.</summary>
    Traffic,

    /// <summary>Crashes, restarts, clean leaves and partitions into arbitrary groups with heals, under traffic; then liveness.</summary>
    Crashes,

    /// <summary>Random partitions, heals, crashes and fencing reboots; no two disjoint quorate memberships at any check point.</summary>
    PartitionSafety,

    /// <summary>Process pauses (SIGSTOP/SIGCONT, GC, VM steal) of random nodes, short and long, with a crash or restart now and then, under traffic; then liveness.</summary>
    Pauses,

    /// <summary>Starts and restarts timed into another merge's COMMIT window, with crashes, under traffic; then liveness without a token timeout's allowance for the COMMIT.</summary>
    Starts,
}
