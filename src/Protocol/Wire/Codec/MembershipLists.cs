namespace Totem.Protocol.Wire.Codec;

/// <summary>The body shared by join and leave messages: the sender's ring seq and its proc and failed lists.</summary>
internal static class MembershipLists
{
    public static void Encode(ulong ringSeq, ValueList<NodeId> procList, ValueList<NodeId> failedList, ref WireWriter w)
    {
        w.U64(ringSeq);
        w.List("ProcList", procList, TotemCodec.MaxMembers, static (ref WireWriter ww, NodeId n) => ww.Node(n));
        w.List("FailedList", failedList, TotemCodec.MaxMembers, static (ref WireWriter ww, NodeId n) => ww.Node(n));
    }

    public static (ulong RingSeq, ValueList<NodeId> ProcList, ValueList<NodeId> FailedList) Decode(ref WireReader r) => (
        r.U64("RingSeq"),
        r.List("ProcList", TotemCodec.MaxMembers, WireSize.Node, static (ref WireReader rr) => rr.Node("ProcList[]")),
        r.List("FailedList", TotemCodec.MaxMembers, WireSize.Node, static (ref WireReader rr) => rr.Node("FailedList[]")));
}
