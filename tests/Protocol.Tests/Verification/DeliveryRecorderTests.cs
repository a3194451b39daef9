using Totem.Protocol.Srp;
using Totem.Protocol.Verification;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Verification;

public class DeliveryRecorderTests
{
    private static readonly NodeId Node1 = new(1);

    [Fact]
    public void Events_after_a_crash_need_a_restart()
    {
        var recorder = new DeliveryRecorder();
        recorder.RecordCrash(Node1);

        var error = Assert.Throws<InvalidOperationException>(() => recorder.RecordSubmitted(Node1, ValueList.Of<byte>(1)));
        Assert.Contains("node 1 recorded MessageSubmitted after crashing", error.Message);
        Assert.Throws<InvalidOperationException>(() => recorder.RecordCrash(Node1));
    }

    [Fact]
    public void A_restart_needs_a_crash_first()
    {
        var recorder = new DeliveryRecorder();
        recorder.RecordSubmitted(Node1, ValueList.Of<byte>(1));

        var error = Assert.Throws<InvalidOperationException>(() => recorder.RecordRestart(Node1));
        Assert.Contains("node 1 restarted without a recorded crash", error.Message);
    }

    [Fact]
    public void Only_deliveries_and_configurations_are_taken_from_engine_outputs()
    {
        var recorder = new DeliveryRecorder();
        var ring = new RingId(Node1, 4);
        var regular = new ConfigurationChanged(ConfigurationKind.Regular, ring, ValueList.Of(Node1), ValueList<NodeId>.Empty, ValueList<NodeId>.Empty);
        var delivered = new Delivered(ring, 1, Node1, DeliveryGuarantee.Safe, ValueList.Of<byte>(9));

        recorder.Record(Node1, new StateChanged(SrpState.Gather, SrpState.Operational, "test"));
        recorder.Record(Node1, regular);
        recorder.Record(Node1, new RingSeqObserved(4));
        recorder.Record(Node1, delivered);

        var incarnation = Assert.Single(recorder.Incarnations);
        Assert.Equal([new ConfigurationInstalled(regular), new MessageDelivered(delivered)], incarnation.Events);
    }
}
