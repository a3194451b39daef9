using System.Text;
using Totem.Protocol.Srp;
using Totem.Protocol.Store;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Store;

/// <summary>One engine driven by hand: refusals, the writer's answers, the sync's checks.</summary>
public class StoreEngineTests
{
    private static readonly NodeId N1 = new(1), N2 = new(2);
    private static readonly RingId R1 = new(N1, 8), R2 = new(N1, 12);

    private static ValueList<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text).ToValueList();

    /// <summary>A one-node ring synchronized by hand (its own summary is the only one).</summary>
    private static StoreEngine Synchronized(bool quorate = true, RingId? ring = null)
    {
        var engine = new StoreEngine(N1);
        var r = ring ?? R1;
        engine.Handle(new QuorumVerdictChanged(quorate, r));
        engine.Handle(new StoreSyncInit(r, ValueList.Of(N1)));
        var summary = engine.Handle(new StoreSyncProcess(r)).OfType<MulticastStore>().Single().Message;
        Assert.Equal(new StoreSyncProcessed(r), engine.Handle(new StoreMessageDelivered(N1, summary)).OfType<StoreSyncProcessed>().Single());
        engine.Handle(new StoreSyncActivate(r));
        Assert.True(engine.Synchronized);
        return engine;
    }

    private static StoreWrite SentWrite(IReadOnlyList<StoreOutput> outputs) => (StoreWrite)outputs.OfType<MulticastStore>().Single().Message;

    [Fact]
    public void Without_quorum_a_write_is_refused_at_once_and_reads_say_so()
    {
        var engine = Synchronized(quorate: false);
        var outputs = engine.Handle(new WriteRequested(1, StoreOp.Put, "/a", Bytes("x"), null));
        Assert.Equal([new WriteFailed(1, StoreErrorKind.NoQuorum, "cluster not ready - no quorum?")], outputs);
        var read = engine.Get(StorePath.Parse("/a"));
        Assert.Null(read.Value);
        Assert.False(read.Quorate);
        Assert.True(read.Synchronized);

        // `expected` lowered: quorate within the same ring, writes work again.
        engine.Handle(new QuorumVerdictChanged(true, R1));
        Assert.Equal(StorePath.Parse("/a"), SentWrite(engine.Handle(new WriteRequested(2, StoreOp.Put, "/a", Bytes("x"), null))).Path);
    }

    [Fact]
    public void Before_the_first_sync_and_during_a_membership_change_writes_are_refused()
    {
        var engine = new StoreEngine(N1);
        // votequorum's first verdict, before any ring.
        engine.Handle(new QuorumVerdictChanged(true, null));
        var refused = engine.Handle(new WriteRequested(1, StoreOp.Put, "/a", Bytes("x"), null)).OfType<WriteFailed>().Single();
        Assert.Equal(StoreErrorKind.NotSynchronized, refused.Kind);
        Assert.StartsWith("cluster not ready", refused.Reason);
        Assert.False(engine.Get(StorePath.Root).Synchronized);

        engine = Synchronized();
        engine.Handle(new TransitionalConfiguration(ValueList.Of(N1)));
        Assert.Equal(StoreErrorKind.NotSynchronized, engine.Handle(new WriteRequested(2, StoreOp.Put, "/a", Bytes("x"), null)).OfType<WriteFailed>().Single().Kind);
        engine.Handle(new StoreSyncInit(R2, ValueList.Of(N1, N2)));
        engine.Handle(new QuorumVerdictChanged(true, R2));
        Assert.Equal(StoreErrorKind.NotSynchronized, engine.Handle(new WriteRequested(3, StoreOp.Put, "/a", Bytes("x"), null)).OfType<WriteFailed>().Single().Kind);
    }

    [Fact]
    public void A_verdict_of_the_previous_ring_is_not_quorum_in_the_next()
    {
        var engine = Synchronized();
        engine.Handle(new TransitionalConfiguration(ValueList.Of(N1)));
        engine.Handle(new StoreSyncInit(R2, ValueList.Of(N1, N2)));
        Assert.False(engine.Quorate);
        var summary = (StoreSummary)engine.Handle(new StoreSyncProcess(R2)).OfType<MulticastStore>().Single().Message;
        Assert.False(summary.Quorate);
        Assert.False(engine.Get(StorePath.Root).Quorate);

        engine.Handle(new QuorumVerdictChanged(true, R2));
        Assert.True(engine.Quorate);
    }

    [Theory]
    [InlineData("a", "store path 'a' is not absolute")]
    [InlineData("/a//b", "has an empty segment at offset 3")]
    [InlineData("/", "the root '/' is a directory and holds no value")]
    public void Bad_paths_are_refused_before_anything_is_sent(string path, string reason)
    {
        var outputs = Synchronized().Handle(new WriteRequested(5, StoreOp.Put, path, Bytes("x"), null));
        var failed = Assert.IsType<WriteFailed>(Assert.Single(outputs));
        Assert.Equal(StoreErrorKind.InvalidRequest, failed.Kind);
        Assert.Contains(reason, failed.Reason);
    }

    [Fact]
    public void An_oversize_value_or_a_request_id_in_use_is_refused()
    {
        var engine = Synchronized();
        var limit = engine.Handle(new WriteRequested(1, StoreOp.Put, "/big", new byte[StoreLimits.MaxValueBytes].ToValueList(), null));
        Assert.Single(limit.OfType<MulticastStore>());
        var over = engine.Handle(new WriteRequested(2, StoreOp.Put, "/big", new byte[StoreLimits.MaxValueBytes + 1].ToValueList(), null));
        Assert.Equal(new WriteFailed(2, StoreErrorKind.InvalidRequest, $"the value of '/big' is {StoreLimits.MaxValueBytes + 1} bytes, the limit is {StoreLimits.MaxValueBytes}"),
            Assert.Single(over));
        var again = engine.Handle(new WriteRequested(1, StoreOp.Put, "/other", Bytes("x"), null));
        Assert.Equal(new WriteFailed(1, StoreErrorKind.InvalidRequest, "request id 1 is already waiting for its write"), Assert.Single(again));
    }

    /// <summary>
    /// The acknowledgement waits for the writer's next token of the ring (every member delivered the write by then): one
    /// rotation asked at a time, covering the writes applied before it was asked; a later one is asked for the rest.
    /// </summary>
    [Fact]
    public void An_applied_write_is_acknowledged_at_the_next_token_rotation_asked_after_it()
    {
        var engine = Synchronized();
        var first = SentWrite(engine.Handle(new WriteRequested(1, StoreOp.Put, "/a", Bytes("x"), null)));
        var second = SentWrite(engine.Handle(new WriteRequested(2, StoreOp.Put, "/b", Bytes("y"), null)));
        Assert.Equal([new AwaitTokenRotation(R1)], engine.Handle(new StoreMessageDelivered(N1, first)).OfType<AwaitTokenRotation>());
        // Delivered after the rotation was asked for: not covered by it, and no second request while one is out.
        var afterAsk = engine.Handle(new StoreMessageDelivered(N1, second));
        Assert.Empty(afterAsk.OfType<AwaitTokenRotation>());
        Assert.Empty(afterAsk.OfType<WriteCompleted>());

        // A rotation of another ring settles nothing.
        Assert.Empty(engine.Handle(new TokenRotated(R2)));
        var rotated = engine.Handle(new TokenRotated(R1));
        Assert.Equal([new WriteCompleted(1, StorePath.Parse("/a"), 1, 1)], rotated.OfType<WriteCompleted>());
        Assert.Equal([new AwaitTokenRotation(R1)], rotated.OfType<AwaitTokenRotation>());
        Assert.Equal([new WriteCompleted(2, StorePath.Parse("/b"), 2, 2)], engine.Handle(new TokenRotated(R1)));
        // Nothing waits: a stray rotation answers nothing.
        Assert.Empty(engine.Handle(new TokenRotated(R1)));

        // A refusal decided in the order is answered at once: no member can apply what every member refuses.
        var conflict = SentWrite(engine.Handle(new WriteRequested(3, StoreOp.Put, "/a", Bytes("z"), 0)));
        Assert.Equal(StoreErrorKind.Conflict, Assert.Single(engine.Handle(new StoreMessageDelivered(N1, conflict)).OfType<WriteFailed>()).Kind);
    }

    /// <summary>
    /// Still settling when the membership changes: answered after the next sync, applied only if this node's state went
    /// on into a quorate ring (here alone and not quorate: unknown); the old ring's rotation comes too late to count.
    /// </summary>
    [Fact]
    public void A_write_still_settling_at_a_membership_change_is_answered_after_the_next_sync()
    {
        foreach (var quorate in new[] { true, false })
        {
            var engine = Synchronized();
            var write = SentWrite(engine.Handle(new WriteRequested(1, StoreOp.Put, "/a", Bytes("x"), null)));
            engine.Handle(new StoreMessageDelivered(N1, write));
            engine.Handle(new TransitionalConfiguration(ValueList.Of(N1)));
            Assert.Empty(engine.Handle(new TokenRotated(R1)));
            engine.Handle(new QuorumVerdictChanged(quorate, R2));
            engine.Handle(new StoreSyncInit(R2, ValueList.Of(N1)));
            var summary = engine.Handle(new StoreSyncProcess(R2)).OfType<MulticastStore>().Single().Message;
            engine.Handle(new StoreMessageDelivered(N1, summary));
            var answer = Assert.Single(engine.Handle(new StoreSyncActivate(R2)), o => o is WriteCompleted or WriteFailed);
            if (quorate) Assert.Equal(new WriteCompleted(1, StorePath.Parse("/a"), 1, 1), answer);
            else Assert.Equal(StoreErrorKind.OutcomeUnknown, Assert.IsType<WriteFailed>(answer).Kind);
        }
    }

    [Fact]
    public void The_writer_answers_when_its_own_write_comes_back_with_the_new_versions()
    {
        var engine = Synchronized();
        var write = SentWrite(engine.Handle(new WriteRequested(1, StoreOp.Put, "/a/b", Bytes("x"), 0)));
        Assert.Equal(R1, write.Ring);
        Assert.Null(engine.Get(StorePath.Parse("/a/b")).Value);
        var outputs = engine.Handle(new StoreMessageDelivered(N1, write));
        Assert.Empty(outputs.OfType<WriteCompleted>());
        Assert.Contains(new AwaitTokenRotation(R1), outputs);
        Assert.Contains(new KeyChanged(StorePath.Parse("/a/b"), StoreOp.Put, 1, N1), outputs);
        Assert.Same(engine.State, outputs.OfType<PersistSnapshot>().Single().State);
        Assert.Equal([new WriteCompleted(1, StorePath.Parse("/a/b"), 1, 1)], engine.Handle(new TokenRotated(R1)));

        // The same request id again, once answered, is a new request; a conflict is answered with the reason.
        var second = SentWrite(engine.Handle(new WriteRequested(1, StoreOp.Put, "/a/b", Bytes("y"), 0)));
        var conflict = engine.Handle(new StoreMessageDelivered(N1, second));
        Assert.Equal(new WriteFailed(1, StoreErrorKind.Conflict, "'/a/b' is at version 1, the write expected version 0"), Assert.Single(conflict.OfType<WriteFailed>()));
        Assert.Empty(conflict.OfType<PersistSnapshot>());
        Assert.Equal(1ul, engine.State.Version);

        // A peer's write with the same request id is not ours.
        var peers = engine.Handle(new StoreMessageDelivered(N2, write with { Path = StorePath.Parse("/p") }));
        Assert.Empty(peers.OfType<WriteCompleted>());
        Assert.Equal("x", Encoding.UTF8.GetString(engine.Get(StorePath.Parse("/p")).Value!.Value.Items.AsSpan()));
    }

    [Fact]
    public void A_write_of_an_older_ring_is_discarded_and_its_writer_told_it_was_not_applied()
    {
        var engine = Synchronized();
        var write = SentWrite(engine.Handle(new WriteRequested(1, StoreOp.Put, "/a", Bytes("x"), null)));
        engine.Handle(new TransitionalConfiguration(ValueList.Of(N1)));
        var init = engine.Handle(new StoreSyncInit(R2, ValueList.Of(N1, N2)));
        Assert.Equal(StoreErrorKind.NotApplied, init.OfType<WriteFailed>().Single().Kind);
        // It sat in a send queue and reaches the new ring: every member drops it.
        var late = engine.Handle(new StoreMessageDelivered(N1, write));
        Assert.Empty(late.OfType<WriteFailed>());
        Assert.Empty(late.OfType<KeyChanged>());
        Assert.Equal(0ul, engine.State.Version);
    }

    [Fact]
    public void Impossible_orders_are_invariant_violations()
    {
        var engine = new StoreEngine(N1);
        engine.Handle(new StoreSyncInit(R1, ValueList.Of(N1, N2)));
        // A write of this ring before its sync completed: the writer could not have sent it.
        var write = new StoreWrite(R1, 1, StoreOp.Put, StorePath.Parse("/a"), null, Bytes("x"));
        Assert.Contains("before this node synchronized the ring", Assert.Throws<InvariantViolation>(() => engine.Handle(new StoreMessageDelivered(N2, write))).Message);

        engine.Handle(new StoreSyncProcess(R1));
        var chunk = new StoreStateChunk(R1, 0, 1, Bytes("x"));
        Assert.Contains("before every member's summary", Assert.Throws<InvariantViolation>(() => engine.Handle(new StoreMessageDelivered(N2, chunk))).Message);
        Assert.Contains("before every member's summary arrived", Assert.Throws<InvariantViolation>(() => engine.Handle(new StoreSyncActivate(R1))).Message);
    }

    [Fact]
    public void A_write_recovered_past_a_gap_in_a_ring_this_node_never_synchronized_is_discarded()
    {
        var engine = new StoreEngine(N1);
        engine.Handle(new StoreSyncInit(R1, ValueList.Of(N1, N2)));
        engine.Handle(new StoreSyncProcess(R1));
        // The last barrier never arrived here; node 2 activated and wrote; then the ring broke.
        engine.Handle(new TransitionalConfiguration(ValueList.Of(N1, N2)));
        var write = new StoreWrite(R1, 1, StoreOp.Put, StorePath.Parse("/a"), null, Bytes("x"));
        var outputs = engine.Handle(new StoreMessageDelivered(N2, write));
        Assert.Empty(outputs.OfType<KeyChanged>());
        Assert.Equal(0ul, engine.State.Version);
    }

    [Fact]
    public void A_chunk_from_a_member_that_is_not_the_source_or_a_state_unlike_the_summary_is_refused()
    {
        var source = Synchronized();
        source.Handle(new StoreMessageDelivered(N1, SentWrite(source.Handle(new WriteRequested(1, StoreOp.Put, "/a", Bytes("x"), null)))));

        var behind = new StoreEngine(N2);
        behind.Handle(new StoreSyncInit(R2, ValueList.Of(N1, N2)));
        var mine = behind.Handle(new StoreSyncProcess(R2)).OfType<MulticastStore>().Single().Message;
        var theirs = new StoreSummary(R2, source.State.Version, source.State.Epoch, true, source.State.Digest.ToArray().ToValueList());
        behind.Handle(new StoreMessageDelivered(N1, theirs));
        behind.Handle(new StoreMessageDelivered(N2, mine));
        var encoded = StoreStateCodec.Encode(source.State).ToValueList();
        Assert.Contains("came from 2, the source is 1",
            Assert.Throws<InvariantViolation>(() => behind.Handle(new StoreMessageDelivered(N2, new StoreStateChunk(R2, 0, 1, encoded)))).Message);
        var other = StoreStateCodec.Encode(StoreState.Empty).ToValueList();
        Assert.Contains("is not the one its summary announced",
            Assert.Throws<InvariantViolation>(() => behind.Handle(new StoreMessageDelivered(N1, new StoreStateChunk(R2, 0, 1, other)))).Message);
    }

    [Fact]
    public void A_snapshot_loaded_at_start_is_read_but_not_current_until_synchronized()
    {
        var written = Synchronized();
        written.Handle(new StoreMessageDelivered(N1, SentWrite(written.Handle(new WriteRequested(1, StoreOp.Put, "/a", Bytes("x"), null)))));
        var restarted = new StoreEngine(N1, StoreStateCodec.Decode(StoreStateCodec.Encode(written.State)));
        var read = restarted.Get(StorePath.Parse("/a"));
        Assert.Equal(1ul, read.Value!.Version);
        Assert.False(read.Synchronized);
        Assert.Equal(R1, restarted.State.Epoch);
    }
}
