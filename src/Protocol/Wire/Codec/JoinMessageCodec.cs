namespace Totem.Protocol.Wire.Codec;

internal sealed class JoinMessageCodec : MessageCodec<JoinMessage>
{
    public override TotemMessageType Type => TotemMessageType.Join;

    protected override void Encode(JoinMessage m, ref WireWriter w) => MembershipLists.Encode(m.RingSeq, m.ProcList, m.FailedList, ref w);

    protected override JoinMessage Decode(NodeId sender, ref WireReader r)
    {
        var (ringSeq, procList, failedList) = MembershipLists.Decode(ref r);
        return new JoinMessage(sender, ringSeq, procList, failedList);
    }
}
