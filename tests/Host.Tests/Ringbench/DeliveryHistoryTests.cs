using System.Text;
using Totem.Host.Ringbench.Bench;
using Totem.Protocol.Client;
using Totem.Protocol.Verification;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Ringbench;

/// <summary>ringbench's wiring of the invariant checker to what the subscribers on every node received in a run.</summary>
public sealed class DeliveryHistoryTests
{
    private static readonly RingId Ring = new(new NodeId(1), 8);
    private static readonly NodeId[] Nodes = [new(1), new(2), new(3)];

    private static DeliveryHistory History() => new(Nodes.Select(n => (n, Ring, new ValueList<NodeId>(Nodes))));

    /// <summary>Message "sender-number" in frame <paramref name="seq"/> (several share a seq when packed).</summary>
    private static ClientDelivery M(int sender, int number, uint seq, RingId? ring = null, long index = 0) =>
        new(index, ring ?? Ring, seq, new NodeId((uint)sender), Encoding.ASCII.GetBytes($"{sender}-{number}:......"));

    /// <summary>Nodes 1 and 2 each sent two messages, packed into frames 10 and 11.</summary>
    private static ClientDelivery[] Agreed() => [M(1, 0, 10), M(1, 1, 10), M(2, 0, 11), M(2, 1, 11)];

    private static void Submit(DeliveryHistory h)
    {
        foreach (var (sender, number) in new[] { (1, 0), (1, 1), (2, 0), (2, 1) })
            h.Submitted(new NodeId((uint)sender), Encoding.ASCII.GetBytes($"{sender}-{number}:......"));
    }

    private static IReadOnlyList<string> Run(Func<int, ClientDelivery[]> delivered)
    {
        var h = History();
        foreach (var n in Nodes) h.Record(n, new DeliveredBatch(delivered((int)n.Value)));
        Submit(h);
        return h.CheckRun();
    }

    [Fact]
    public void One_order_on_every_node_with_packed_frames_holds()
    {
        var h = History();
        foreach (var n in Nodes) h.Record(n, new DeliveredBatch(Agreed()));
        Submit(h);
        Assert.Empty(h.CheckRun());
        Assert.Equal(12, h.LastRunDeliveries);
        // The next run starts afresh from the same configuration: the same ids again are no duplicates.
        foreach (var n in Nodes) h.Record(n, new DeliveredBatch(Agreed()));
        Submit(h);
        Assert.Empty(h.CheckRun());
    }

    [Fact]
    public void A_node_that_skipped_a_message_is_a_violation()
    {
        var violations = Run(n => n == 2 ? [.. Agreed().Where((_, i) => i != 2)] : Agreed());
        Assert.NotEmpty(violations);
        Assert.Contains(violations, v => v.StartsWith(Invariants.AgreedOrder, StringComparison.Ordinal) || v.StartsWith(Invariants.Liveness, StringComparison.Ordinal));
    }

    [Fact]
    public void A_message_delivered_twice_is_a_duplicate()
    {
        var violations = Run(n => n == 3 ? [.. Agreed(), M(2, 1, 12)] : Agreed());
        Assert.Contains(violations, v => v.StartsWith(Invariants.NoDuplicates, StringComparison.Ordinal));
    }

    [Fact]
    public void Two_messages_in_another_order_on_one_node_break_the_agreed_order()
    {
        var violations = Run(n => n == 1 ? [M(1, 0, 10), M(1, 1, 10), M(2, 1, 11), M(2, 0, 11)] : Agreed());
        Assert.Contains(violations, v => v.StartsWith(Invariants.AgreedOrder, StringComparison.Ordinal));
    }

    [Fact]
    public void A_submitted_message_no_node_delivered_is_lost()
    {
        var violations = Run(_ => [.. Agreed().Take(3)]);
        var lost = Assert.Single(violations, v => v.StartsWith(Invariants.Liveness, StringComparison.Ordinal) && v.Contains("node 2 submitted", StringComparison.Ordinal));
        Assert.Contains("never delivered", lost, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_change_in_a_run_is_recorded_as_the_node_delivered_it()
    {
        var next = new RingId(new NodeId(1), 12);
        var h = History();
        foreach (var n in Nodes)
        {
            h.Record(n, new DeliveredBatch([M(1, 0, 10), M(1, 1, 10)]));
            h.Record(n, new ConfigurationChange(next, new ValueList<NodeId>(Nodes), ValueList<NodeId>.Empty, ValueList<NodeId>.Empty));
            h.Record(n, new DeliveredBatch([M(2, 0, 3, next), M(2, 1, 3, next)]));
        }
        Submit(h);
        Assert.Empty(h.CheckRun());
        // The next run starts in the new ring.
        foreach (var n in Nodes) h.Record(n, new DeliveredBatch([M(3, 0, 4, next)]));
        h.Submitted(new NodeId(3), Encoding.ASCII.GetBytes("3-0:......"));
        Assert.Empty(h.CheckRun());
    }

    [Fact]
    public void A_violation_fails_the_run_with_the_run_named()
    {
        var h = History();
        foreach (var n in Nodes) h.Record(n, new DeliveredBatch(n.Value == 2 ? [.. Agreed(), Agreed()[0]] : Agreed()));
        var error = Assert.Throws<InvalidOperationException>(() => h.ThrowIfViolated("run 5 x 64 B"));
        Assert.StartsWith("run 5 x 64 B: the nodes' deliveries break ", error.Message, StringComparison.Ordinal);
        Assert.Contains(Invariants.NoDuplicates, error.Message, StringComparison.Ordinal);
    }
}
