using System.Text;
using Totem.Nodes.Control;
using Totem.Nodes.Simulator;
using Totem.Protocol.Store;
using Totem.Protocol.Wire;

namespace Totem.Nodes.Tests.Simulator;

/// <summary>
/// The replicated store wired into whole simulated nodes (issue 16): writes go through the ring in agreed order, are
/// refused without quorum, work again after `expected`, and restarted nodes catch up from their kept copy.
/// </summary>
public sealed class StoreSimulationTests
{
    private static readonly NodeId N1 = new(1);

    private static ClusterSimulation Started(int seed, int nodes)
    {
        var sim = new ClusterSimulation(seed, new SimulationOptions(nodes) { Store = true, CaptureLogs = true });
        sim.StartAll();
        Assert.True(sim.RunUntil(sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(30)), string.Join("\n", sim.Logs.TakeLast(50)));
        sim.RunFor(TimeSpan.FromSeconds(2));
        return sim;
    }

    /// <summary>
    /// Akka's Ask completes its task with continuations run asynchronously, so TotemNode's mapping of the answer lands
    /// on the thread pool one hop after the simulation delivered it: virtual time goes on in small steps with a short
    /// real-time wait between them, or a fast simulation runs past the answer (the answer's virtual instant therefore
    /// varies between runs; nothing here depends on it).
    /// </summary>
    private static T Await<T>(ClusterSimulation sim, Task<T> task)
    {
        var deadline = sim.Now + TimeSpan.FromSeconds(30);
        while (!task.IsCompleted && sim.Now < deadline)
        {
            sim.RunFor(TimeSpan.FromMilliseconds(5));
            ((IAsyncResult)task).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(1));
        }
        Assert.True(task.IsCompleted, $"no answer in 30 s of virtual time:\n" + string.Join("\n", sim.Logs.TakeLast(40)));
        return task.Result;
    }

    private static StoreWriteResult Put(ClusterSimulation sim, NodeId node, string path, string value) =>
        Await(sim, sim.Node(node).WriteStoreAsync(StoreOp.Put, path, Encoding.UTF8.GetBytes(value), null, CancellationToken.None));

    private static StoreReadResult Get(ClusterSimulation sim, NodeId node, string path) =>
        Await(sim, sim.Node(node).ReadStoreAsync(path, list: false, CancellationToken.None));

    [Fact]
    public void Writes_replicate_in_order_to_every_member_with_the_same_versions()
    {
        var sim = Started(31, 3);
        for (var i = 0; i < 6; i++)
        {
            var result = Put(sim, new NodeId((uint)(i % 3 + 1)), $"/k{i % 2}", $"v{i}");
            Assert.True(result.Ok, result.Reason);
            Assert.Equal((ulong)(i + 1), result.StoreVersion);
        }
        sim.RunFor(TimeSpan.FromSeconds(1));
        foreach (var node in sim.LiveNodes)
        {
            var read = Get(sim, node, "/k1");
            Assert.Equal("v5", Encoding.UTF8.GetString(read.Entry!.Value.ToArray()));
            Assert.Equal(6UL, read.Entry.Version);
            Assert.True(read.Quorate && read.Synchronized);
        }
        Assert.Single(sim.LiveNodes.Select(n => Convert.ToHexString(sim.StoreDisk(n).Kept!.Digest)).Distinct());
        Assert.Equal([], sim.CheckInvariants(livenessExpected: true));
    }

    [Fact]
    public void The_lab_story_write_refused_without_quorum_accepted_after_expected_and_everyone_catches_up()
    {
        var sim = Started(32, 5);
        Assert.True(Put(sim, N1, "/cluster/name", "lab").Ok);
        foreach (var id in new uint[] { 3, 4, 5 }) sim.Crash(new NodeId(id));
        Assert.True(sim.RunUntil(sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(30)));
        sim.RunFor(TimeSpan.FromSeconds(2));

        var refused = Put(sim, N1, "/cluster/name", "survivors");
        Assert.Equal(StoreErrorKind.NoQuorum, refused.Error);
        Assert.Equal("cluster not ready - no quorum?", refused.Reason);
        var read = Get(sim, new NodeId(2), "/cluster/name");
        Assert.False(read.Quorate);
        Assert.Equal("lab", Encoding.UTF8.GetString(read.Entry!.Value.ToArray()));

        Assert.True(Await(sim, sim.Node(N1).SetExpectedVotesAsync(2, CancellationToken.None)).Ok);
        sim.RunFor(TimeSpan.FromSeconds(1));
        var accepted = Put(sim, N1, "/cluster/name", "survivors");
        Assert.True(accepted.Ok, accepted.Reason);

        foreach (var id in new uint[] { 3, 4, 5 }) sim.Start(new NodeId(id));
        Assert.True(sim.RunUntil(sim.OneRingOfLiveNodes, TimeSpan.FromSeconds(30)));
        sim.RunFor(TimeSpan.FromSeconds(3));
        foreach (var node in sim.LiveNodes)
        {
            var after = Get(sim, node, "/cluster/name");
            Assert.True(after.Synchronized, $"node {node} not synchronized");
            Assert.Equal("survivors", Encoding.UTF8.GetString(after.Entry!.Value.ToArray()));
        }
        Assert.Single(sim.LiveNodes.Select(n => Convert.ToHexString(sim.StoreDisk(n).Kept!.Digest)).Distinct());
        Assert.Equal([], sim.CheckInvariants(livenessExpected: true));
    }
}
