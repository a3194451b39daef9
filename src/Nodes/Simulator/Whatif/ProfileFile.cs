using Totem.Protocol.Whatif;

namespace Totem.Nodes.Simulator.Whatif;

/// <summary>Reads a network profile file for the tools that take one (totembench whatif, ringbench whatif-validate); sample files are found beside it.</summary>
public static class ProfileFile
{
    /// <summary>The parse (with its diagnostics), or null with why the file could not be read.</summary>
    public static NetworkProfileParser.Result? Load(string path, out string problem)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!TryRead(path, out var text, out problem)) return null;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return NetworkProfileParser.Parse(text, path,
            (string samples, out string sampleText, out string why) => TryRead(Path.Combine(directory, samples), out sampleText, out why));
    }

    /// <summary>A text file's contents, or false with why it could not be read ("no such file", or the system's reason); the advisor's config file is read the same way.</summary>
    public static bool TryRead(string path, out string text, out string problem)
    {
        text = "";
        problem = "";
        try
        {
            text = File.ReadAllText(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message;
            return false;
        }
    }
}
