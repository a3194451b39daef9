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
        if (Directory.Exists(path))
            return Unreadable(path, "it is a directory, not a file");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Unreadable(path, "the file does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            return Unreadable(path, "permission denied");
        }
        catch (IOException e)
        {
            return Unreadable(path, e.Message);
        }
        return ClusterConfigParser.Parse(text, path, environment);
    }

    private static ConfigLoadResult Unreadable(string path, string reason) =>
        ConfigLoadResult.Failed(ConfigDiagnostic.Error(SourcePosition.WholeFile(path),
            $"cannot read configuration file '{Path.GetFullPath(path)}': {reason}"));
}
