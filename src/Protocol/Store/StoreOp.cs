namespace Totem.Protocol.Store;

/// <summary>What a write does to its key.</summary>
public enum StoreOp : byte
{
    Put = 0,
    Remove = 1,
}
