using Totem.Protocol.Store;
using Totem.Protocol.Wire;
using Xunit.Abstractions;

namespace Totem.Protocol.Tests.Store;

/// <summary>Several members on one agreed order (<see cref="StoreCluster"/>): replication, partitions, restarts, sync.</summary>
public class StoreReplicationTests(ITestOutputHelper output)
{
    private static readonly uint[] All5 = [1, 2, 3, 4, 5];

    [Fact]
    public void Every_member_applies_the_same_writes_in_the_same_order()
    {
        var cluster = new StoreCluster(5);
        cluster.Form(All5);
        cluster.AssertPartitionsAgree();
        var requests = new List<(uint Node, ulong Request)>();
        for (var round = 0; round < 20; round++)
            foreach (var node in All5)
            {
                // Concurrent writers on shared and own keys, some conditional on a version they read.
                requests.Add((node, cluster.Put(node, $"/shared/k{round % 3}", $"{node}:{round}")));
                requests.Add((node, cluster.Put(node, $"/own/{node}/k{round % 4}", $"{round}", expected: round < 4 ? 0 : null)));
                if (round % 5 == 4) requests.Add((node, cluster.Remove(node, $"/own/{node}/k0")));
                if (round % 2 == 0) cluster.Deliver(3);
            }
        cluster.Settle();
        cluster.AssertPartitionsAgree();

        var first = cluster[1].Changes;
        Assert.True(first.Count > 200);
        foreach (var node in All5) Assert.Equal(first, cluster[node].Changes);
        // Every request was answered on its writer; the applied ones carry the version of their place in the order.
        foreach (var (node, request) in requests)
            if (cluster.Answer(node, request) is WriteCompleted done)
                Assert.Contains(first, c => c.KeyVersion == done.KeyVersion && c.Path == done.Path && c.Writer.Value == node);
        Assert.Equal((ulong)first.Count, cluster[3].Store.State.Version);
        Assert.All(first.Select((c, i) => (c, i)), x => Assert.Equal((ulong)x.i + 1, x.c.KeyVersion));
        // The conditional creates of rounds 4.. for k0 were removed and re-created: none conflicted, none was lost.
        Assert.DoesNotContain(requests, r => cluster.Answer(r.Node, r.Request) is WriteFailed { Kind: not StoreErrorKind.NotFound });
    }

    [Fact]
    public void A_conditional_write_whose_version_moved_is_refused_on_the_writer_and_changes_nothing_anywhere()
    {
        var cluster = new StoreCluster(3);
        cluster.Form([1, 2, 3]);
        var created = cluster.Put(1, "/cfg", "a", expected: 0);
        cluster.Settle();
        var version = Assert.IsType<WriteCompleted>(cluster.Answer(1, created)).KeyVersion;
        // Two clients read version `version` and both write conditionally: the first in the order wins.
        var fromTwo = cluster.Put(2, "/cfg", "b", expected: version);
        var fromThree = cluster.Put(3, "/cfg", "c", expected: version);
        cluster.Settle();
        Assert.IsType<WriteCompleted>(cluster.Answer(2, fromTwo));
        var refused = Assert.IsType<WriteFailed>(cluster.Answer(3, fromThree));
        Assert.Equal(StoreErrorKind.Conflict, refused.Kind);
        Assert.Equal($"'/cfg' is at version {version + 1}, the write expected version {version}", refused.Reason);
        foreach (var node in new uint[] { 1, 2, 3 }) Assert.Equal("b", cluster.Value(node, "/cfg"));
        cluster.AssertPartitionsAgree();
    }

    [Fact]
    public void A_partition_heals_the_quorate_sides_writes_win_and_the_minority_gets_them()
    {
        var cluster = new StoreCluster(5);
        cluster.Form(All5);
        cluster.Put(1, "/before", "all");
        cluster.Settle();

        cluster.Form([1, 2], [3, 4, 5]);
        cluster.AssertPartitionsAgree();
        var minority = cluster.Put(1, "/during", "minority");
        Assert.Equal(new WriteFailed(minority, StoreErrorKind.NoQuorum, "cluster not ready - no quorum?"), cluster.Answer(1, minority));
        var majority = cluster.Put(4, "/during", "majority");
        cluster.Put(5, "/before", "changed");
        cluster.Settle();
        Assert.IsType<WriteCompleted>(cluster.Answer(4, majority));
        // Reads on the minority work, from its copy, and say it is not quorate.
        var read = cluster[2].Store.Get(StorePath.Parse("/before"));
        Assert.Equal("all", cluster.Value(2, "/before"));
        Assert.False(read.Quorate);
        Assert.True(read.Synchronized);

        var transfersBefore = cluster.Multicasts.OfType<StoreStateChunk>().Count();
        cluster.Form(All5);
        cluster.AssertPartitionsAgree();
        foreach (var node in All5)
        {
            Assert.Equal("majority", cluster.Value(node, "/during"));
            Assert.Equal("changed", cluster.Value(node, "/before"));
        }
        // One member of the majority sent its state once; the minority installed it.
        Assert.Single(cluster.Multicasts.OfType<StoreStateChunk>().Skip(transfersBefore));
        Assert.Contains(cluster[1].Outputs, o => o is StateReplaced { Source.Value: 3 });
        Assert.DoesNotContain(cluster[3].Outputs, o => o is StateReplaced);
        Assert.Equal(cluster.RingOf(1), cluster[1].Store.State.Epoch);
    }

    [Fact]
    public void A_minority_made_quorate_by_the_operator_writes_and_the_others_get_it_when_they_come_back()
    {
        // The lab's story: 3 of 5 killed, the write refused on the survivors, `totemctl expected 2`, the write accepted.
        var cluster = new StoreCluster(5);
        cluster.Form(All5);
        cluster.Put(3, "/vm/100.conf", "cores: 2");
        cluster.Settle();
        foreach (var node in new uint[] { 3, 4, 5 }) cluster.Crash(node);
        cluster.Form([1, 2]);
        var refused = cluster.Put(1, "/vm/100.conf", "cores: 4");
        Assert.Equal(StoreErrorKind.NoQuorum, Assert.IsType<WriteFailed>(cluster.Answer(1, refused)).Kind);

        cluster.SetQuorate(1, true);
        cluster.SetQuorate(2, true);
        var accepted = cluster.Put(1, "/vm/100.conf", "cores: 4");
        cluster.Settle();
        Assert.IsType<WriteCompleted>(cluster.Answer(1, accepted));

        foreach (var node in new uint[] { 3, 4, 5 }) cluster.Restart(node);
        Assert.Equal("cores: 2", cluster.Value(3, "/vm/100.conf"));
        Assert.False(cluster[3].Store.Get(StorePath.Root).Synchronized);
        cluster.Form(All5);
        cluster.AssertPartitionsAgree();
        foreach (var node in All5) Assert.Equal("cores: 4", cluster.Value(node, "/vm/100.conf"));
    }

    [Fact]
    public void A_restarted_node_with_an_old_snapshot_catches_up_and_keeps_its_copy_otherwise()
    {
        var cluster = new StoreCluster(3);
        cluster.Form([1, 2, 3]);
        cluster.Put(1, "/a", "1");
        cluster.Settle();
        cluster.Crash(3);
        cluster.Form([1, 2]);
        cluster.Put(2, "/a", "2");
        cluster.Put(2, "/b", "new");
        cluster.Settle();

        cluster.Restart(3);
        Assert.Equal("1", cluster.Value(3, "/a"));
        cluster.Form([1, 2, 3]);
        cluster.AssertPartitionsAgree();
        Assert.Equal("2", cluster.Value(3, "/a"));
        Assert.Equal("new", cluster.Value(3, "/b"));
        // What it persisted is the caught-up state: a second restart needs no transfer.
        Assert.Equal(cluster[1].Store.State.Version, cluster[3].Persisted!.Version);
        cluster.Crash(3);
        cluster.Form([1, 2]);
        cluster.Restart(3);
        var chunks = cluster.Multicasts.OfType<StoreStateChunk>().Count();
        cluster.Form([1, 2, 3]);
        cluster.AssertPartitionsAgree();
        Assert.Equal(chunks, cluster.Multicasts.OfType<StoreStateChunk>().Count());
    }

    [Fact]
    public void After_a_full_restart_the_latest_version_of_the_same_epoch_wins_over_an_older_snapshot()
    {
        var cluster = new StoreCluster(3);
        cluster.Form([1, 2, 3]);
        cluster.Put(1, "/a", "1");
        cluster.Settle();
        var old = cluster[1].Persisted!;
        cluster.Put(2, "/a", "2");
        cluster.Put(2, "/b", "3");
        cluster.Settle();
        var epoch = cluster[1].Store.State.Epoch;
        foreach (var node in new uint[] { 1, 2, 3 }) cluster.Crash(node);
        // Node 1 comes back from a copy older than its last write (its disk lost the rest); the others from theirs.
        cluster.Restart(1, old);
        cluster.Restart(2);
        cluster.Restart(3);
        Assert.Equal(epoch, cluster[1].Store.State.Epoch);
        cluster.Form([1, 2, 3]);
        cluster.AssertPartitionsAgree();
        Assert.Equal("2", cluster.Value(1, "/a"));
        Assert.Equal("3", cluster.Value(1, "/b"));
        Assert.Contains(cluster[1].Outputs, o => o is StateReplaced { Source.Value: 2 });
    }

    [Fact]
    public void A_node_restarted_from_nothing_gets_a_large_state_in_chunks_none_above_the_limit()
    {
        var cluster = new StoreCluster(3);
        cluster.Form([1, 2, 3]);
        for (var i = 0; i < 6; i++) cluster.Write(1 + (uint)(i % 3), StoreOp.Put, $"/images/{i}", Enumerable.Repeat((byte)i, StoreLimits.MaxChunkBytes).ToArray());
        cluster.Settle();
        cluster.Crash(2);
        cluster.Form([1, 3]);
        cluster.Restart(2, StoreState.Empty);
        cluster.Form([1, 2, 3]);
        cluster.AssertPartitionsAgree();
        var chunks = cluster.Multicasts.OfType<StoreStateChunk>().ToList();
        Assert.Equal(7, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(7u, c.Count));
        Assert.Equal(Enumerable.Repeat((byte)5, StoreLimits.MaxChunkBytes), cluster[2].Store.Get(StorePath.Parse("/images/5")).Value!.Value);
    }

    [Fact]
    public void A_membership_change_in_the_middle_of_the_sync_aborts_it_and_the_next_ring_completes_it()
    {
        // The merge's sync stops at every possible point: after k of its messages (builds, summaries, the chunk,
        // barriers), a further change; the first k at which it completes ends the loop.
        var interrupted = 0;
        for (var k = 1; ; k++)
        {
            var run = new StoreCluster(5);
            run.Form(All5);
            run.Put(1, "/x", "1");
            run.Settle();
            run.Form([1, 2, 3], [4, 5]);
            run.Put(2, "/x", "2");
            run.Settle();
            run.Form([All5], settle: false);
            for (var i = 0; i < k; i++) run.Deliver(1);
            if (run.Up.All(n => n.Store.Synchronized)) break;
            interrupted++;
            Assert.Equal(StoreErrorKind.NotSynchronized, Assert.IsType<WriteFailed>(run.Answer(4, run.Put(4, "/y", "refused"))).Kind);
            run.Form([1, 2, 3, 4], [5]);
            run.AssertPartitionsAgree();
            foreach (var node in new uint[] { 1, 2, 3, 4 }) Assert.Equal("2", run.Value(node, "/x"));
            Assert.Equal("1", run.Value(5, "/x"));
            run.Form(All5);
            run.AssertPartitionsAgree();
            Assert.Equal("2", run.Value(5, "/x"));
            Assert.Null(run.Value(1, "/y"));
        }
        // 5 service builds, 5 summaries, 1 chunk, then the barriers: the last barrier completes it.
        Assert.Equal(15, interrupted);
    }

    [Fact]
    public void A_write_delivered_during_recovery_is_answered_after_the_next_sync()
    {
        // A join: the write is recovered by every old member, the state survives into a quorate ring: applied.
        var join = new StoreCluster(4);
        join.Form([1, 2, 3]);
        var request = join.Put(1, "/a", "x");
        join.Form([[1, 2, 3, 4]], settle: false);
        Assert.False(join[1].Answers.ContainsKey(request));
        join.Settle();
        Assert.IsType<WriteCompleted>(join.Answer(1, request));
        join.AssertPartitionsAgree();
        Assert.Equal("x", join.Value(4, "/a"));

        // A split: the writer's side recovers its own write, the quorate side never had it, and wins.
        var split = new StoreCluster(5);
        split.Form(All5);
        var lost = split.Put(1, "/a", "minority's");
        split.Form([1, 2], [3, 4, 5]);
        Assert.Equal("minority's", split.Value(1, "/a"));
        Assert.Null(split.Value(3, "/a"));
        Assert.Equal(StoreErrorKind.OutcomeUnknown, Assert.IsType<WriteFailed>(split.Answer(1, lost)).Kind);
        split.Put(3, "/b", "majority's");
        split.Settle();
        split.Form(All5);
        split.AssertPartitionsAgree();
        Assert.Null(split.Value(1, "/a"));
        Assert.Equal("majority's", split.Value(1, "/b"));

        // The writer's side merges with the quorate side before its own sync completed: the merged ring is quorate,
        // but the writer's state is replaced, so the write may be lost: still unknown, never "applied".
        var merge = new StoreCluster(5);
        merge.Form(All5);
        var unsure = merge.Put(1, "/a", "minority's");
        merge.Form([[1, 2], [3, 4, 5]], settle: false);
        while (!merge[3].Store.Synchronized) merge.Deliver(1, member: 3);
        Assert.False(merge[1].Store.Synchronized);
        merge.Form(All5);
        merge.AssertPartitionsAgree();
        Assert.Contains(merge[1].Outputs, o => o is StateReplaced { Source.Value: 3 });
        Assert.Equal(StoreErrorKind.OutcomeUnknown, Assert.IsType<WriteFailed>(merge.Answer(1, unsure)).Kind);
        Assert.Null(merge.Value(1, "/a"));
    }

    /// <summary>
    /// The window of safe delivery: the writer and the member that raised the aru delivered the write, the other three
    /// had only received it when the ring split them off. Their transitional configuration holds neither the writer nor
    /// a member that delivered it, so totemsrp's recovery drops it there, and that side is quorate. The write must not
    /// have been acknowledged (it was, at its Safe delivery, before the rotation rule).
    /// </summary>
    [Fact]
    public void A_write_the_writer_delivered_but_the_quorate_side_had_not_is_never_acknowledged()
    {
        var cluster = new StoreCluster(5);
        cluster.Form(All5);
        var request = cluster.Put(2, "/cfg", "written");
        Assert.True(cluster.DeliverOnlyTo(2, 1, 2));
        Assert.Equal("written", cluster.Value(2, "/cfg"));
        Assert.False(cluster[2].Answers.ContainsKey(request), "acknowledged at its Safe delivery, before every member delivered it");
        Assert.NotNull(cluster[2].RotationAwaited);

        cluster.Form([1, 2], [3, 4, 5]);
        Assert.Null(cluster.Value(3, "/cfg"));
        Assert.True(cluster[3].Store.Quorate);
        var answer = Assert.IsType<WriteFailed>(cluster.Answer(2, request));
        Assert.Equal(StoreErrorKind.OutcomeUnknown, answer.Kind);

        // Had a member of the quorate side delivered it, that side recovers it for all its members.
        var kept = new StoreCluster(5);
        kept.Form(All5);
        kept.Put(2, "/cfg", "written");
        kept.DeliverOnlyTo(2, 2, 3);
        kept.Form([1, 2], [3, 4, 5]);
        Assert.Equal("written", kept.Value(5, "/cfg"));

        // Without a change, the token goes round: every member delivers it, then the writer answers.
        var calm = new StoreCluster(5);
        calm.Form(All5);
        var third = calm.Put(2, "/cfg", "written");
        calm.DeliverOnlyTo(2, 2);
        Assert.False(calm[2].Answers.ContainsKey(third));
        calm.Settle();
        Assert.Equal(new WriteCompleted(third, StorePath.Parse("/cfg"), 1, 1), calm.Answer(2, third));
        Assert.All(All5, n => Assert.Equal("written", calm.Value(n, "/cfg")));
    }

    [Fact]
    public void Writes_acknowledged_on_the_quorate_side_survive_crashes_partitions_and_restarts()
    {
        var answers = new Dictionary<string, int>();
        var transfers = 0;
        for (var seed = 0; seed < 60; seed++)
        {
            var rng = new Random(seed);
            var cluster = new StoreCluster(5);
            cluster.Form(All5);
            var up = new List<uint>(All5);
            var writes = new List<(uint Node, ulong Request)>();
            var acknowledged = new List<WriteCompleted>();
            for (var step = 0; step < 25; step++)
            {
                // A random membership: a node crashes or restarts, the rest form one or two partitions; writes sent
                // just before are still in flight at the change.
                var choice = rng.Next(4);
                if (choice == 0 && up.Count > 2)
                {
                    var victim = up[rng.Next(up.Count)];
                    cluster.Crash(victim);
                    up.Remove(victim);
                }
                else if (choice == 1 && up.Count < 5)
                {
                    var back = All5.Except(up).ElementAt(rng.Next(5 - up.Count));
                    cluster.Restart(back);
                    up.Add(back);
                }
                var shuffled = up.OrderBy(_ => rng.Next()).ToArray();
                var cut = rng.Next(2) == 0 ? shuffled.Length : rng.Next(1, shuffled.Length);
                var settled = rng.Next(4) > 0;
                cluster.Form(new[] { shuffled[..cut], shuffled[cut..] }.Where(p => p.Length > 0).ToArray(), settled, unsent: rng.Next(3));
                if (settled) cluster.AssertPartitionsAgree();

                for (var w = rng.Next(1, 8); w > 0; w--)
                {
                    var node = up[rng.Next(up.Count)];
                    writes.Add((node, cluster.Put(node, $"/k{rng.Next(6)}", $"{seed}.{step}.{w}")));
                    if (rng.Next(3) == 0) cluster.Deliver(1);
                    // Safe delivery's window: some members delivered the next message, the others only received it.
                    if (rng.Next(4) == 0)
                    {
                        var group = cluster[node].Group;
                        cluster.DeliverOnlyTo(node, group.Where(_ => rng.Next(2) == 0).Select(n => n.Value).ToArray());
                    }
                }
                if (rng.Next(3) > 0)
                {
                    cluster.Settle();
                    cluster.AssertPartitionsAgree();
                }

                foreach (var (node, request) in writes.Where(w => up.Contains(w.Node)))
                    if (cluster[node].Answers.Remove(request, out var answer))
                    {
                        var kind = answer is WriteFailed failed ? failed.Kind.ToString() : "Completed";
                        answers[kind] = answers.GetValueOrDefault(kind) + 1;
                        if (answer is WriteCompleted done) acknowledged.Add(done);
                    }
                // Every quorate, synchronized member holds every acknowledged write, or a later write of its key.
                foreach (var node in up.Where(n => cluster[n].Store.Quorate && cluster[n].Store.Synchronized))
                    foreach (var done in acknowledged)
                    {
                        var entry = cluster[node].Store.Get(done.Path).Value;
                        Assert.True(entry is not null && entry.Version >= done.KeyVersion && cluster[node].Store.State.Version >= done.StoreVersion,
                            $"seed {seed} step {step}: node {node} lost the acknowledged write of {done.Path} at version {done.KeyVersion} (holds {entry?.Version})");
                    }
            }
            transfers += cluster.Multicasts.OfType<StoreStateChunk>().Count();
        }
        // The runs must have gone through every kind of answer and many transfers to mean anything.
        var summary = string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{a.Key} {a.Value}")) + $", {transfers} chunks";
        output.WriteLine(summary);
        Assert.True(answers.GetValueOrDefault("Completed") > 1000, summary);
        foreach (var kind in new[] { StoreErrorKind.NoQuorum, StoreErrorKind.NotSynchronized, StoreErrorKind.NotApplied, StoreErrorKind.OutcomeUnknown })
            Assert.True(answers.GetValueOrDefault(kind.ToString()) > 10, summary);
        Assert.True(transfers > 100, summary);
    }
}
