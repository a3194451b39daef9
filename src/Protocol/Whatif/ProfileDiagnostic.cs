namespace Totem.Protocol.Whatif;

/// <summary>A profile line that could not be used: where and why. The rest of the profile is still read.</summary>
public sealed record ProfileDiagnostic(string Source, int Line, string Problem)
{
    public override string ToString() => Line == 0 ? $"{Source}: {Problem}" : $"{Source}:{Line}: {Problem}";
}
