using Totem.Host.Control;
using Totem.Host.Tests.Control;
using Totem.Host.Totemctl;

namespace Totem.Host.Tests.Totemctl;

/// <summary>totemctl keygen: corosync-keygen's key, mode 0400, sizes 128..4096, and no silent overwrite.</summary>
// Key files are guarded by Unix mode bits; the tests set and read them.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeygenCommandTests : IDisposable
{
    private readonly TempKeyDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => OfflineTotemctl.Run(args);

    [Fact]
    public async Task Writes_256_random_bytes_with_mode_0400_that_the_loader_accepts()
    {
        var path = _dir.File("authkey");
        var (code, output, error) = await Run("keygen", "-k", path);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(AuthKeyFile.DefaultBytes, new FileInfo(path).Length);
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(path));
        Assert.Contains($"Writing corosync key to {path}.", output);
        Assert.True(AuthKeyFile.TryLoad(path, out var key, out var problem), problem);
        // Random, not a constant: two keys differ, and a key is not mostly one byte value.
        Assert.True(key.Distinct().Count() > 64, "the key's bytes look constant");
        var second = _dir.File("authkey2");
        Assert.Equal(ExitCodes.Ok, (await Run("keygen", "--key-file", second)).Code);
        Assert.NotEqual(key, File.ReadAllBytes(second));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData(128)]
    [InlineData(4096)]
    public async Task The_size_is_the_key_length_in_bytes(int size)
    {
        var path = _dir.File("authkey");
        Assert.Equal(ExitCodes.Ok, (await Run("keygen", "-k", path, "-s", size.ToString(System.Globalization.CultureInfo.InvariantCulture))).Code);
        Assert.Equal(size, new FileInfo(path).Length);
    }

    [Theory]
    [InlineData("127")]
    [InlineData("4097")]
    [InlineData("0")]
    public async Task Sizes_outside_128_to_4096_are_refused_and_nothing_is_written(string size)
    {
        var path = _dir.File("authkey");
        var (code, _, error) = await Run("keygen", "-k", path, "-s", size);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains($"totemctl: keygen: unsupported key size {size} bytes (supported <128,4096>", error);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task An_existing_key_is_kept_unless_force_is_given()
    {
        var path = _dir.Key(AuthKeyFile.DefaultBytes);
        var before = File.ReadAllBytes(path);
        var (code, _, error) = await Run("keygen", "-k", path);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains($"'{path}' already exists", error);
        Assert.Contains("--force", error);
        Assert.Equal(before, File.ReadAllBytes(path));

        Assert.Equal(ExitCodes.Ok, (await Run("keygen", "-k", path, "--force", "-s", "512")).Code);
        Assert.Equal(512, new FileInfo(path).Length);
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task If_missing_writes_a_key_once_and_then_keeps_it()
    {
        var path = _dir.File("authkey");
        var (code, output, error) = await Run("keygen", "--if-missing", "-k", path);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains($"Writing corosync key to {path}.", output);
        var first = File.ReadAllBytes(path);

        (code, output, error) = await Run("keygen", "--if-missing", "-k", path, "-s", "512");
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains($"Keeping the existing corosync key {path} ({AuthKeyFile.DefaultBytes} bytes).", output);
        Assert.Equal(first, File.ReadAllBytes(path));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task If_missing_refuses_an_existing_key_totemd_would_refuse_and_leaves_it()
    {
        var path = _dir.Key(AuthKeyFile.DefaultBytes, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var before = File.ReadAllBytes(path);
        var (code, output, error) = await Run("keygen", "--if-missing", "-k", path);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains($"authkey file '{path}' has mode 0444", error);
        Assert.Contains("not replaced", error);
        Assert.Empty(output);
        Assert.Equal(before, File.ReadAllBytes(path));

        var shortKey = _dir.Key(64, name: "short");
        (code, _, error) = await Run("keygen", "--if-missing", "-k", shortKey);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("a key needs at least 128 bytes", error);
    }

    [Fact]
    public async Task If_missing_and_force_together_are_refused()
    {
        var path = _dir.Key(AuthKeyFile.DefaultBytes);
        var before = File.ReadAllBytes(path);
        var (code, _, error) = await Run("keygen", "--if-missing", "--force", "-k", path);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("--if-missing keeps an existing key and --force replaces it", error);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public async Task A_missing_directory_is_named()
    {
        var path = Path.Combine(_dir.Path, "no-such-dir", "authkey");
        var (code, _, error) = await Run("keygen", "-k", path);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains($"the directory '{Path.GetDirectoryName(path)}' does not exist", error);
    }
}
