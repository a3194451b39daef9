namespace Totem.Protocol.Wire.Fuzzing;

/// <summary>One input the decode path mishandled: what went wrong, the input in hex, and how it was made.</summary>
public sealed record FuzzFinding(long Input, MutationKind Mutation, string Problem, string InputHex)
{
    public override string ToString() => $"input {Input} ({Mutation}): {Problem}\n  {InputHex}";
}
