namespace Totem.Protocol.Wire.Codec;

internal sealed class JoinMessageCodec : MessageCodec<JoinMessage>
{
    public override TotemMessageType Type => TotemMessageType.Join;

    protected override void Encode(JoinMessage m, ref WireWriter w)
    {
        w.U64(m.RingSeq);
        w.List(nameof(m.ProcList), m.ProcList, TotemCodec.MaxMembers, static (ref WireWriter ww, NodeId n) => ww.Node(n));
        w.List(nameof(m.FailedList), m.FailedList, TotemCodec.MaxMembers, static (ref WireWriter ww, NodeId n) => ww.Node(n));
    }

    protected override JoinMessage Decode(NodeId sender, ref WireReader r) => new(
        sender,
        RingSeq: r.U64(nameof(JoinMessage.RingSeq)),
        ProcList: r.List(nameof(JoinMessage.ProcList), TotemCodec.MaxMembers, WireSize.Node,
            static (ref WireReader rr) => rr.Node("ProcList[]")),
        FailedList: r.List(nameof(JoinMessage.FailedList), TotemCodec.MaxMembers, WireSize.Node,
            static (ref WireReader rr) => rr.Node("FailedList[]")));
}
