using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Srp;

/// <summary>
/// totemsrp's waiting_trans_ack (the application's messages wait for the new ring's service synchronization) and its
/// filter in recovery (past a gap, only the transitional configuration's members' messages are delivered).
/// </summary>
public class TransAckTests
{
    private static readonly NodeId Me = new(1);
    private static readonly NodeId Peer = new(2);
    private static readonly NodeId Third = new(3);
    private static readonly RingId BootRing = new(Me, 1);

    private static OrfToken Token(RingId ring, uint tokenSeq, uint seq, uint aru = 0) =>
        new(Peer, ring, seq, tokenSeq, aru, default, 0, 0, false, ValueList<uint>.Empty);

    private static ValueList<byte> Bytes(string text) => text.Select(c => (byte)c).ToValueList();

    /// <summary>Suspend, commit and install <paramref name="ring"/> (its members all come from <paramref name="oldRing"/>), then the recovery token's four rotations.</summary>
    private static List<SrpOutput> Install(TokenHolderEngine engine, RingConfig ring, RingId oldRing, long now)
    {
        var commit = new CommitToken(Me, ring.RingId, 2, ring.Members.Count,
            ring.Members.Select(n => new CommitMember(n, oldRing, engine.MyAru, engine.HighDelivered, true)).ToValueList());
        engine.Handle(new SuspendRing(), now);
        engine.Handle(new EnterCommit(ring, commit, engine.Position), now + 1);
        engine.Handle(new InstallRing(ring, commit, ReceivedFlg: true), now + 2);
        var outputs = new List<SrpOutput>();
        for (uint visit = 1; visit <= 4; visit++)
            outputs.AddRange(engine.Handle(new MessageReceived(Token(ring.RingId, visit, 0)), now + 2 + visit));
        Assert.Equal(SrpState.Operational, engine.State);
        return outputs;
    }

    private static IEnumerable<McastMessage> Multicasts(IEnumerable<SrpOutput> outputs) =>
        outputs.OfType<SendMessage>().Select(s => s.Message).OfType<McastMessage>();

    [Fact]
    public void A_new_ring_sends_only_the_services_messages_until_the_sync_acknowledges_it()
    {
        var engine = new TokenHolderEngine(new SrpOptions(Me, CorosyncDefaults.For(2)));
        var ring = new RingConfig(new RingId(Me, 5), ValueList.Of(Me, Peer), Peer);
        Install(engine, ring, BootRing, 0);
        Assert.True(engine.WaitingTransAck);

        engine.Handle(new SubmitMessage(Bytes("app"), DeliveryGuarantee.Agreed), 100);
        engine.Handle(new SubmitMessage(Bytes("sync"), DeliveryGuarantee.Agreed, SubmitLane.Service), 100);
        var visit = engine.Handle(new MessageReceived(Token(ring.RingId, 5, 0)), 110);
        Assert.Equal(["sync"], Multicasts(visit).Select(m => string.Concat(m.Frame.Data.Items.Select(b => (char)b))));
        Assert.Equal(1, engine.PendingMessages);

        // An ack of another ring (a sync a newer membership overtook) releases nothing.
        engine.Handle(new TransAck(BootRing), 115);
        Assert.True(engine.WaitingTransAck);
        Assert.Empty(Multicasts(engine.Handle(new MessageReceived(Token(ring.RingId, 6, 1, 1)), 120)));

        engine.Handle(new TransAck(ring.RingId), 125);
        Assert.False(engine.WaitingTransAck);
        var released = engine.Handle(new MessageReceived(Token(ring.RingId, 7, 1, 1)), 130);
        Assert.Equal(["app"], Multicasts(released).Select(m => string.Concat(m.Frame.Data.Items.Select(b => (char)b))));
        Assert.Equal(0, engine.PendingMessages);
    }

    [Fact]
    public void Every_installed_ring_waits_for_its_own_ack()
    {
        var engine = new TokenHolderEngine(new SrpOptions(Me, CorosyncDefaults.For(2)));
        var first = new RingConfig(new RingId(Me, 5), ValueList.Of(Me, Peer), Peer);
        Install(engine, first, BootRing, 0);
        engine.Handle(new TransAck(first.RingId), 50);
        Assert.False(engine.WaitingTransAck);

        var second = new RingConfig(new RingId(Me, 9), ValueList.Of(Me, Peer), Peer);
        var installed = Install(engine, second, first.RingId, 100);
        Assert.True(engine.WaitingTransAck);
        // Held from the transitional configuration on, before the regular one is delivered.
        var transitional = installed.FindIndex(o => o is ConfigurationChanged { Kind: ConfigurationKind.Transitional });
        var flag = installed.FindIndex(o => o is SrpLog l && l.Template.StartsWith("waiting_trans_ack changed", StringComparison.Ordinal));
        Assert.True(transitional >= 0 && flag > transitional, string.Join("\n", installed));
    }

    [Fact]
    public void Recovery_past_a_gap_delivers_only_messages_of_the_transitional_configurations_members()
    {
        var engine = new TokenHolderEngine(new SrpOptions(Me, CorosyncDefaults.For(3)));
        var old = new RingConfig(new RingId(Me, 5), ValueList.Of(Me, Peer, Third), Peer);
        Install(engine, old, BootRing, 0);
        engine.Handle(new TransAck(old.RingId), 50);

        // Seq 1 (node 2's) never arrives here; node 3's seq 2 and our own seq 3 do, behind the gap.
        engine.Handle(new MessageReceived(new McastMessage(Third, old.RingId, 2, Third, DeliveryGuarantee.Agreed, PgFrame.Single(Bytes("of 3")), null)), 60);
        engine.Handle(new MessageReceived(new McastMessage(Me, old.RingId, 3, Me, DeliveryGuarantee.Agreed, PgFrame.Single(Bytes("of 1")), null)), 61);

        // Nodes 2 and 3 are gone: a ring of one, whose transitional configuration is this node alone.
        var alone = new RingConfig(new RingId(Me, 9), ValueList.Of(Me), Me);
        var installed = Install(engine, alone, old.RingId, 100);

        var transitional = installed.OfType<ConfigurationChanged>().First(c => c.Kind == ConfigurationKind.Transitional);
        Assert.Equal([Me], transitional.Members);
        var afterTransitional = installed.SkipWhile(o => o is not ConfigurationChanged { Kind: ConfigurationKind.Transitional });
        Assert.Equal([(3u, Me)], afterTransitional.OfType<Delivered>().Select(d => (d.Seq, d.Source)));
        Assert.Contains(installed, o => o is SrpLog l && l.Template.StartsWith("Did not deliver {Count} old ring messages", StringComparison.Ordinal) && (int)l.Args[0]! == 1);
    }
}
