namespace Totem.Protocol.Wire.Codec;

internal sealed class CommitTokenCodec : MessageCodec<CommitToken>
{
    private const int MemberSize = WireSize.Node + WireSize.Ring + WireSize.U32 + WireSize.U32 + WireSize.U8;

    public override TotemMessageType Type => TotemMessageType.CommitToken;

    protected override void Encode(CommitToken m, ref WireWriter w)
    {
        // The index runs from 0 to the member count inclusive, as corosync's memb_index does on its
        // way round the ring; outside that range the receiver would index past the member list.
        if (m.MemberIndex < 0 || m.MemberIndex > m.Members.Count)
            w.Fail(nameof(m.MemberIndex), $"is {m.MemberIndex}; it must lie in 0..{m.Members.Count} (the member count)");
        w.Ring(m.RingId);
        w.U32(m.TokenSeq);
        w.I32(m.MemberIndex);
        w.List(nameof(m.Members), m.Members, TotemCodec.MaxMembers, static (ref WireWriter ww, CommitMember member) =>
        {
            ww.Node(member.Node);
            ww.Ring(member.OldRingId);
            ww.U32(member.Aru);
            ww.U32(member.HighDelivered);
            ww.Bool(member.ReceivedFlg);
        });
    }

    protected override CommitToken Decode(NodeId sender, ref WireReader r)
    {
        var ringId = r.Ring(nameof(CommitToken.RingId));
        var tokenSeq = r.U32(nameof(CommitToken.TokenSeq));
        var indexOffset = r.Position;
        var memberIndex = r.I32(nameof(CommitToken.MemberIndex));
        var members = r.List(nameof(CommitToken.Members), TotemCodec.MaxMembers, MemberSize,
            static (ref WireReader rr) => new CommitMember(
                Node: rr.Node("Members[].Node"),
                OldRingId: rr.Ring("Members[].OldRingId"),
                Aru: rr.U32("Members[].Aru"),
                HighDelivered: rr.U32("Members[].HighDelivered"),
                ReceivedFlg: rr.Bool("Members[].ReceivedFlg")));
        if (!r.Failed && (memberIndex < 0 || memberIndex > members.Count))
            r.Fail(DecodeError.InvalidValue, nameof(CommitToken.MemberIndex),
                $"is {memberIndex} at offset {indexOffset}; it must lie in 0..{members.Count} (the member count)");
        return new CommitToken(sender, ringId, tokenSeq, memberIndex, members);
    }
}
