namespace Totem.Protocol.Wire.Codec;

/// <summary>Encoded sizes of the fixed-size building blocks, used to bound counts before allocating.</summary>
internal static class WireSize
{
    public const int U8 = 1;
    public const int U16 = 2;
    public const int U32 = 4;
    public const int U64 = 8;
    public const int Node = U32;
    public const int Ring = Node + U64;
    public const int Count = U32;
}
