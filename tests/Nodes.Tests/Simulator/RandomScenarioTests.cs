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

    /// <summary>
    /// Traffic seeds beyond the default range that once failed (issue 10). 100585, 101355, 106270, 107818, 108115:
    /// the token was lost in the last milliseconds before the faults stopped, and the run judged liveness one
    /// second later, before token_retransmit (1023 ms with 4 nodes, 1178 ms with 5) let the token's last sender
    /// resend it; messages in flight, and a multicast one node had missed, were then reported lost.
    /// </summary>
    public static readonly int[] PinnedTrafficSeeds = [100585, 101355, 106270, 107818, 108115];

    [Fact]
    public void Pinned_traffic_seeds_keep_every_invariant() =>
        SeedRunner.RunSeeds(ScenarioKind.Traffic, PinnedTrafficSeeds, output);

    [Fact]
    public void Crashes_restarts_leaves_and_partitions_keep_every_invariant_and_settle_into_one_ring() =>
        SeedRunner.RunSeeds(ScenarioKind.Crashes, 1, Seeds, output);

    [Fact]
    public void Random_partitions_never_leave_two_disjoint_quorate_partitions() =>
        SeedRunner.RunSeeds(ScenarioKind.PartitionSafety, 1, Seeds, output);

    /// <summary>
    /// Seeds that once split the brain, beyond the default range (issue 10): 20283, 4 nodes with auto_tie_breaker
    /// lowest, [1 4] and [2 3] quorate at once at 19,700 ms; 104972, 6 nodes, [1 4 5] and [2 3 6] from 6,800 ms.
    /// In both a node named the tie-breaker from the last quorate membership it had seen instead of from the cluster.
    /// </summary>
    [Theory]
    [InlineData(20283)]
    [InlineData(104972)]
    public void Partition_safety_seeds_that_once_split_the_brain_stay_safe(int seed) =>
        SeedRunner.RunSeeds(ScenarioKind.PartitionSafety, seed, 1, output);
}
