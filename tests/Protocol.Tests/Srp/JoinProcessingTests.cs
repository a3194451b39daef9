using Totem.Protocol.Srp;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Srp;

/// <summary>How one engine answers joins (memb_join_process), driven directly without a network.</summary>
public class JoinProcessingTests
{
    private static readonly NodeId Me = new(1);

    private static TotemSrp BootedAlone()
    {
        var engine = new TotemSrp(new SrpOptions(Me, CorosyncDefaults.For(5)));
        engine.Start(0);
        Assert.Equal(SrpState.Operational, engine.State);
        return engine;
    }

    private static JoinMessage Join(uint from, ulong ringSeq, uint[] proc, uint[] failed) =>
        new(new NodeId(from), ringSeq, proc.Select(n => new NodeId(n)).ToValueList(), failed.Select(n => new NodeId(n)).ToValueList());

    [Fact]
    public void A_join_from_a_non_member_whose_failed_set_we_do_not_adopt_is_answered_once_not_every_time()
    {
        var engine = BootedAlone();
        // Node 3 (not of our old ring) considers 5 failed; we do not adopt a stranger's failed set.
        var join = Join(3, 100, [1, 3], [5]);
        var first = engine.Handle(new MessageReceived(join), 10);
        Assert.Equal(SrpState.Gather, engine.State);
        Assert.Single(first.OfType<SendMessage>(), s => s.Message is JoinMessage);

        // The same join again (its join timer, a duplicate, or its answer to our join) teaches us nothing:
        // no join in reply and the consensus timer keeps running, so it can expire and separate us.
        for (var t = 60; t < 3_000; t += 50)
        {
            var again = engine.Handle(new MessageReceived(join), t);
            Assert.DoesNotContain(again, o => o is SendMessage);
            Assert.DoesNotContain(again, o => o is StartTimer { Timer: SrpTimer.Consensus });
        }

        // The consensus timeout declares the silent processor failed and we form a ring without it.
        var expired = engine.Handle(new TimerExpired(SrpTimer.Consensus), 10 + CorosyncDefaults.For(5).Consensus);
        Assert.Equal(SrpState.Operational, engine.State);
        var regular = Assert.Single(expired.OfType<ConfigurationChanged>(), c => c.Kind == ConfigurationKind.Regular);
        Assert.Equal([Me], regular.Members);
    }

    [Fact]
    public void A_join_that_adds_a_processor_restarts_gather_and_is_answered()
    {
        var engine = BootedAlone();
        engine.Handle(new MessageReceived(Join(3, 100, [1, 3], [5])), 10);
        var grown = engine.Handle(new MessageReceived(Join(3, 100, [1, 3, 4], [5])), 20);
        var sent = Assert.Single(grown.OfType<SendMessage>()).Message;
        Assert.Equal([new NodeId(1), new NodeId(3), new NodeId(4)], ((JoinMessage)sent).ProcList.OrderBy(n => n));
        Assert.Contains(grown, o => o is StartTimer { Timer: SrpTimer.Consensus });
    }
}
