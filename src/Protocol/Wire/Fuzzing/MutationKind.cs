namespace Totem.Protocol.Wire.Fuzzing;

/// <summary>How <see cref="DatagramMutator"/> changed a datagram; the fuzz report counts inputs by it.</summary>
public enum MutationKind
{
    /// <summary>One to four single-bit flips anywhere.</summary>
    BitFlip,

    /// <summary>A byte replaced by a random one, half the time in the 8-byte header.</summary>
    ByteSubstitution,

    /// <summary>A boundary value (0, 1, max, max+1, sign bits) written as a 1, 2, 4 or 8-byte field at any offset.</summary>
    InterestingValue,

    /// <summary>A 32-bit word that looks like a count or length (a small value) moved to a neighbour, 0, the limits, or huge.</summary>
    LengthField,

    /// <summary>Cut short at a random length, empty included.</summary>
    Truncation,

    /// <summary>Random bytes, or a copy of its own tail, appended.</summary>
    Extension,

    /// <summary>A slice of the datagram removed, or a slice of it repeated in place.</summary>
    ChunkEdit,

    /// <summary>The head of one datagram joined to the tail of another.</summary>
    Splice,

    /// <summary>A valid header (magic, version, any type, sender) in front of a random body.</summary>
    HeaderWithRandomBody,

    /// <summary>Two to four of the above applied one after the other.</summary>
    Stacked,
}
