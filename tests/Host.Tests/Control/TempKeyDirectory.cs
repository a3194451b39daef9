using Totem.Host.Control;

namespace Totem.Host.Tests.Control;

/// <summary>A private directory for key files, removed with everything in it when the test ends.</summary>
// Key files are guarded by Unix mode bits; the tests set and read them.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class TempKeyDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("totem-authkey-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>A key file of <paramref name="bytes"/> bytes with <paramref name="mode"/>.</summary>
    public string Key(int bytes, UnixFileMode mode = AuthKeyFile.KeyMode, string name = "authkey")
    {
        var path = File(name);
        System.IO.File.WriteAllBytes(path, Enumerable.Range(0, bytes).Select(i => (byte)i).ToArray());
        System.IO.File.SetUnixFileMode(path, mode);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
