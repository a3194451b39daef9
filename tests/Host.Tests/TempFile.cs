namespace Totem.Host.Tests;

/// <summary>A file in the temp directory holding what a command test feeds the command (a config, a log, a profile); deleted when disposed.</summary>
public sealed class TempFile : IDisposable
{
    private TempFile(string path) => Path = path;

    public string Path { get; }

    public static async Task<TempFile> WriteAsync(string prefix, string extension, string text)
    {
        var file = new TempFile(NewPath(prefix, extension));
        await File.WriteAllTextAsync(file.Path, text);
        return file;
    }

    public static async Task<TempFile> WriteLinesAsync(string prefix, string extension, IEnumerable<string> lines)
    {
        var file = new TempFile(NewPath(prefix, extension));
        await File.WriteAllLinesAsync(file.Path, lines);
        return file;
    }

    private static string NewPath(string prefix, string extension) =>
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}{extension}");

    public void Dispose() => File.Delete(Path);
}
