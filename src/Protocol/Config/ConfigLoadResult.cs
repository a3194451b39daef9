namespace Totem.Protocol.Config;

/// <summary>
/// The outcome of loading a configuration: the typed config (null when any error was found) and
/// every warning and error in file order. Nothing may start on a result that is not valid.
/// </summary>
public sealed record ConfigLoadResult(ClusterConfig? Config, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    public bool IsValid => Config is not null && !Diagnostics.Any(d => d.IsError);

    public IEnumerable<ConfigDiagnostic> Errors => Diagnostics.Where(d => d.IsError);

    public IEnumerable<ConfigDiagnostic> Warnings => Diagnostics.Where(d => !d.IsError);

    public static ConfigLoadResult Failed(params ConfigDiagnostic[] diagnostics) => new(null, diagnostics);
}
