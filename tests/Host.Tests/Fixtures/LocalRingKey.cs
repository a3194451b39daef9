using Totem.Host.Control;
using Totem.Host.Tests.Control;

namespace Totem.Host.Tests.Fixtures;

/// <summary>
/// hocon/local-ring.conf asks for aes256/sha256, so totemd reads a key before it goes on: this is one, 0400, in a
/// private directory, with a totemd HOCON file whose <c>totemd.keyfile</c> names it (the file's <c>keyfile</c> comes
/// from TOTEM_KEYFILE, which tests leave unset: the process environment is shared).
/// </summary>
// Key files are guarded by Unix mode bits.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class LocalRingKey : IDisposable
{
    private readonly TempKeyDirectory _dir = new();

    public LocalRingKey() => KeyFile = _dir.Key(AuthKeyFile.DefaultBytes);

    public string KeyFile { get; }

    /// <summary>A totemd HOCON file with <paramref name="totemdBody"/> inside <c>totemd { }</c> and the key's path.</summary>
    public string Hocon(string totemdBody = "")
    {
        var path = _dir.File($"totemd-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, $"totemd {{\n{totemdBody}\n  keyfile = \"{KeyFile}\"\n}}\n");
        return path;
    }

    public void Dispose() => _dir.Dispose();
}
