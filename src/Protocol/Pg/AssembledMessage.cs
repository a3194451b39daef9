using Totem.Protocol.Wire;

namespace Totem.Protocol.Pg;

/// <summary>A whole message out of the <see cref="Assembler"/>: <see cref="Piece"/> is its place in the frame that completed it.</summary>
public readonly record struct AssembledMessage(int Piece, ValueList<byte> Payload);
