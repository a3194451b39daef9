namespace Totem.Protocol.Config;

/// <summary>
/// Where a piece of configuration text came from, for messages an admin can act on. Line 0 means
/// the file as a whole (it could not be read).
/// </summary>
public readonly record struct SourcePosition(string File, int Line, int Column)
{
    public static SourcePosition WholeFile(string file) => new(file, 0, 0);

    public override string ToString() => Line == 0 ? File : $"{File}:{Line}:{Column}";
}
