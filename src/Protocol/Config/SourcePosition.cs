namespace Totem.Protocol.Config;

/// <summary>Where a piece of configuration text came from, for messages an admin can act on.</summary>
public readonly record struct SourcePosition(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
