namespace Totem.Protocol.Wire.Codec;

internal sealed class MergeDetectCodec : MessageCodec<MergeDetect>
{
    public override TotemMessageType Type => TotemMessageType.MergeDetect;

    protected override void Encode(MergeDetect m, ref WireWriter w) => w.Ring(m.RingId);

    protected override MergeDetect Decode(NodeId sender, ref WireReader r) => new(sender, r.Ring(nameof(MergeDetect.RingId)));
}
