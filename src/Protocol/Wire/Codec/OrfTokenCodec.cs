namespace Totem.Protocol.Wire.Codec;

internal sealed class OrfTokenCodec : MessageCodec<OrfToken>
{
    public override TotemMessageType Type => TotemMessageType.OrfToken;

    protected override void Encode(OrfToken m, ref WireWriter w)
    {
        w.Ring(m.RingId);
        w.U32(m.Seq);
        w.U32(m.TokenSeq);
        w.U32(m.Aru);
        w.Node(m.AruAddr);
        w.U32(m.Backlog);
        w.U32(m.Fcc);
        w.Bool(m.RetransFlg);
        w.List(nameof(m.RetransmitList), m.RetransmitList, TotemCodec.MaxRetransmitEntries,
            static (ref WireWriter ww, uint seq) => ww.U32(seq));
    }

    protected override OrfToken Decode(NodeId sender, ref WireReader r) => new(
        sender,
        RingId: r.Ring(nameof(OrfToken.RingId)),
        Seq: r.U32(nameof(OrfToken.Seq)),
        TokenSeq: r.U32(nameof(OrfToken.TokenSeq)),
        Aru: r.U32(nameof(OrfToken.Aru)),
        AruAddr: r.Node(nameof(OrfToken.AruAddr)),
        Backlog: r.U32(nameof(OrfToken.Backlog)),
        Fcc: r.U32(nameof(OrfToken.Fcc)),
        RetransFlg: r.Bool(nameof(OrfToken.RetransFlg)),
        RetransmitList: r.List(nameof(OrfToken.RetransmitList), TotemCodec.MaxRetransmitEntries, WireSize.U32,
            static (ref WireReader rr) => rr.U32("RetransmitList[]")));
}
