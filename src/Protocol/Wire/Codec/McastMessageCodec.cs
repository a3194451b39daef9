namespace Totem.Protocol.Wire.Codec;

/// <summary>
/// A multicast and its frame (<see cref="PgFrameCodec"/>), optionally carrying one old-ring multicast during recovery. The carried message is
/// written with the same field layout, preceded by its own sender, and may not carry another.
/// </summary>
internal sealed class McastMessageCodec : MessageCodec<McastMessage>
{
    /// <summary>Bytes of a multicast body besides its frame's pieces (ring, seq, source, guarantee, frame header, encapsulation flag).</summary>
    public const int BodyOverhead = WireSize.Ring + WireSize.U32 + WireSize.Node + WireSize.U8 + PgFrameCodec.Overhead + WireSize.U8;

    /// <summary>Bytes an encapsulated multicast adds besides its payload (its sender and its body).</summary>
    public const int EncapsulationOverhead = WireSize.Node + BodyOverhead;

    private const string EncapsulatedScope = ".Encapsulated";

    public override TotemMessageType Type => TotemMessageType.Mcast;

    protected override void Encode(McastMessage m, ref WireWriter w) => EncodeBody(m, ref w, nested: false);

    protected override McastMessage Decode(NodeId sender, ref WireReader r) => DecodeBody(sender, ref r, nested: false);

    private static void EncodeBody(McastMessage m, ref WireWriter w, bool nested)
    {
        if (!Enum.IsDefined(m.Guarantee)) w.Fail(nameof(m.Guarantee), $"is {(byte)m.Guarantee}, not a known delivery guarantee");
        w.Ring(m.RingId);
        w.U32(m.Seq);
        w.Node(m.Source);
        w.U8((byte)m.Guarantee);
        PgFrameCodec.Encode(m.Frame, ref w);
        if (m.Encapsulated is not { } inner)
        {
            w.Bool(false);
            return;
        }
        if (nested) w.Fail(nameof(m.Encapsulated), "carries a message that itself encapsulates one; only one level is allowed");
        w.Bool(true);
        var scope = w.Scope;
        w.Scope = scope + EncapsulatedScope;
        w.Node(inner.Sender);
        EncodeBody(inner, ref w, nested: true);
        w.Scope = scope;
    }

    private static McastMessage DecodeBody(NodeId sender, ref WireReader r, bool nested)
    {
        var ringId = r.Ring(nameof(McastMessage.RingId));
        var seq = r.U32(nameof(McastMessage.Seq));
        var source = r.Node(nameof(McastMessage.Source));
        var guaranteeOffset = r.Position;
        var guarantee = (DeliveryGuarantee)r.U8(nameof(McastMessage.Guarantee));
        if (!Enum.IsDefined(guarantee))
            r.Fail(DecodeError.InvalidValue, nameof(McastMessage.Guarantee),
                $"is {(byte)guarantee} at offset {guaranteeOffset}, not a known delivery guarantee");
        var frame = PgFrameCodec.Decode(ref r);
        var flagOffset = r.Position;
        var encapsulates = r.Bool(nameof(McastMessage.Encapsulated));
        McastMessage? inner = null;
        if (encapsulates && !r.Failed)
        {
            if (nested)
            {
                r.Fail(DecodeError.NestingTooDeep, nameof(McastMessage.Encapsulated),
                    $"flag at offset {flagOffset} announces a second level of encapsulation; only one is allowed");
            }
            else
            {
                var scope = r.Scope;
                r.Scope = scope + EncapsulatedScope;
                var innerSender = r.Node(nameof(McastMessage.Sender));
                inner = DecodeBody(innerSender, ref r, nested: true);
                r.Scope = scope;
            }
        }
        return new McastMessage(sender, ringId, seq, source, guarantee, frame, inner);
    }
}
