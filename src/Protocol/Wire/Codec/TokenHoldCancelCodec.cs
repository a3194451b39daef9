namespace Totem.Protocol.Wire.Codec;

internal sealed class TokenHoldCancelCodec : MessageCodec<TokenHoldCancel>
{
    public override TotemMessageType Type => TotemMessageType.TokenHoldCancel;

    protected override void Encode(TokenHoldCancel m, ref WireWriter w) => w.Ring(m.RingId);

    protected override TokenHoldCancel Decode(NodeId sender, ref WireReader r) => new(sender, r.Ring(nameof(TokenHoldCancel.RingId)));
}
