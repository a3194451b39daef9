using Totem.Protocol.Config;

namespace Totem.Host.Control;

/// <summary>
/// Reads a configuration file from disk and loads it with the process environment for
/// <c>${VAR}</c> substitution. The only place that touches the file system for configuration;
/// the parsing itself is pure (<see cref="ClusterConfigParser"/>).
/// </summary>
public static class ConfigFile
{
    public static ConfigLoadResult Load(string path) => Load(path, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="Load(string)"/> with an explicit environment (tests, or a CLI that overlays variables).</summary>
    public static ConfigLoadResult Load(string path, Func<string, string?> environment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(environment);
        if (!TryReadText(path, out var text, out var reason)) return Unreadable(path, reason);
        return ClusterConfigParser.Parse(text, path, environment);
    }

    /// <summary>
    /// Reads a configuration file's text, or says in plain words why not (a directory, missing, permission denied,
    /// an I/O error): the one place that maps file-system failures for every configuration file totemd reads.
    /// </summary>
    public static bool TryReadText(string path, out string text, out string reason)
    {
        text = "";
        reason = "";
        if (Directory.Exists(path))
        {
            reason = "it is a directory, not a file";
            return false;
        }
        try
        {
            text = File.ReadAllText(path);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            reason = "the file does not exist";
        }
        catch (UnauthorizedAccessException)
        {
            reason = "permission denied";
        }
        catch (IOException e)
        {
            reason = e.Message;
        }
        return false;
    }

    private static ConfigLoadResult Unreadable(string path, string reason) =>
        ConfigLoadResult.Failed(ConfigDiagnostic.Error(SourcePosition.WholeFile(path),
            $"cannot read configuration file '{Path.GetFullPath(path)}': {reason}"));
}
