namespace Totem.Protocol.Wire.Codec;

internal sealed class LeaveMessageCodec : MessageCodec<LeaveMessage>
{
    public override TotemMessageType Type => TotemMessageType.Leave;

    protected override void Encode(LeaveMessage m, ref WireWriter w) => MembershipLists.Encode(m.RingSeq, m.ProcList, m.FailedList, ref w);

    protected override LeaveMessage Decode(NodeId sender, ref WireReader r)
    {
        var (ringSeq, procList, failedList) = MembershipLists.Decode(ref r);
        return new LeaveMessage(sender, ringSeq, procList, failedList);
    }
}
