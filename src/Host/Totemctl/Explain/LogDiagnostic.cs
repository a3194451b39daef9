namespace Totem.Host.Totemctl.Explain;

/// <summary>A line the explainer could not read, with where it is and why; the analysis goes on without it.</summary>
public sealed record LogDiagnostic(string Source, int LineNumber, string Problem, string Text)
{
    public override string ToString() => $"{Source}:{LineNumber}: {Problem}: {Text}";
}
