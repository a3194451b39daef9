namespace Totem.Protocol.Config;

public enum DiagnosticSeverity { Warning, Error }

/// <summary>
/// One problem found while loading a configuration. Rendered like a compiler message
/// (<c>file:line:column: error: text</c>) so editors and admins can jump straight to it.
/// </summary>
public sealed record ConfigDiagnostic(DiagnosticSeverity Severity, SourcePosition Position, string Message)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    public static ConfigDiagnostic Error(SourcePosition at, string message) => new(DiagnosticSeverity.Error, at, message);

    public static ConfigDiagnostic Warning(SourcePosition at, string message) => new(DiagnosticSeverity.Warning, at, message);

    public override string ToString() =>
        $"{Position}: {(IsError ? "error" : "warning")}: {Message}";
}
