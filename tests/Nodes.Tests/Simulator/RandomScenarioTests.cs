using Totem.Nodes.Simulator.Scenarios;
using Xunit.Abstractions;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>
/// The seeded random scenarios of the default test run, 300 seeds each (see README.md in this folder):
/// every run is judged by the invariant checker; the partition scenario also by the quorum safety monitor.
/// </summary>
public sealed class RandomScenarioTests(ITestOutputHelper output)
{
    public const int Seeds = 300;

    [Fact]
    public void Fixed_membership_under_loss_duplication_reordering_and_delay_keeps_every_invariant() =>
        SeedRunner.RunSeeds(ScenarioKind.Traffic, 1, Seeds, output);

    [Fact]
    public void Crashes_restarts_leaves_and_partitions_keep_every_invariant_and_settle_into_one_ring() =>
        SeedRunner.RunSeeds(ScenarioKind.Crashes, 1, Seeds, output);

    [Fact]
    public void Random_partitions_never_leave_two_disjoint_quorate_partitions() =>
        SeedRunner.RunSeeds(ScenarioKind.PartitionSafety, 1, Seeds, output);
}
