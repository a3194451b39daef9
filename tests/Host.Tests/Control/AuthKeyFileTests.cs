using Totem.Host.Control;

namespace Totem.Host.Tests.Control;

/// <summary>Every refusal of the authkey loader names the file and what is wrong with it.</summary>
// Key files are guarded by Unix mode bits; the tests set and read them.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AuthKeyFileTests : IDisposable
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TempKeyDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Refused(string path)
    {
        Assert.False(AuthKeyFile.TryLoad(path, out var key, out var problem));
        Assert.Empty(key);
        Assert.StartsWith($"authkey file '{Path.GetFullPath(path)}' ", problem);
        return problem;
    }

    [Theory]
    [InlineData(AuthKeyFile.MinBytes, AuthKeyFile.KeyMode)]
    [InlineData(AuthKeyFile.DefaultBytes, AuthKeyFile.KeyMode)]
    [InlineData(AuthKeyFile.MaxBytes, Owner)]
    public void A_key_of_128_to_4096_bytes_only_its_owner_can_read_is_loaded(int bytes, UnixFileMode mode)
    {
        var path = _dir.Key(bytes, mode);
        Assert.True(AuthKeyFile.TryLoad(path, out var key, out var problem), problem);
        Assert.Equal(File.ReadAllBytes(path), key);
    }

    [Fact]
    public void A_missing_file_is_refused_with_how_to_make_one()
    {
        var problem = Refused(_dir.File("authkey"));
        Assert.Contains("does not exist", problem);
        Assert.Contains($"totemctl keygen -k {_dir.File("authkey")}", problem);
    }

    [Fact]
    public void A_127_byte_key_is_too_short()
    {
        var problem = Refused(_dir.Key(127));
        Assert.Contains("is 127 bytes: a key needs at least 128 bytes", problem);
        Assert.Contains("Could only read 1016 bits of minimum 1024 bits", problem);
    }

    [Fact]
    public void An_empty_key_is_refused() => Assert.Contains("is empty or not a regular file", Refused(_dir.Key(0)));

    [Fact]
    public async Task A_fifo_is_refused_without_being_opened()
    {
        var fifo = _dir.File("authkey");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", ["-m", "0400", fifo])) await mkfifo.WaitForExitAsync();
        // Opening a fifo with no writer blocks: a loader that opened it would never return.
        var problem = await Task.Run(() => Refused(fifo)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("is empty or not a regular file (a fifo, a socket or a device)", problem);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void A_device_or_a_link_to_one_is_refused(string device)
    {
        Assert.Contains("not a regular file", Refused(device));
        var link = _dir.File("authkey");
        File.CreateSymbolicLink(link, device);
        Assert.Contains("not a regular file", Refused(link));
    }

    [Fact]
    public void A_4097_byte_key_is_too_long() =>
        Assert.Contains("is 4097 bytes: a key has at most 4096 bytes", Refused(_dir.Key(4097)));

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupRead, "0440", "read")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherRead, "0404", "read")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644", "read")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupWrite, "0420", "change")]
    public void A_key_group_or_others_may_use_is_refused_with_its_mode(UnixFileMode mode, string octal, string access)
    {
        var path = _dir.Key(AuthKeyFile.DefaultBytes, mode);
        var problem = Refused(path);
        Assert.Contains($"has mode {octal}: group and others may {access} it", problem);
        Assert.Contains($"chmod 0400 '{path}'", problem);
    }

    [Fact]
    public void A_directory_is_refused() => Assert.Contains("is a directory, not a key file", Refused(_dir.Path));

    [Theory]
    [InlineData(AuthKeyFile.MinBytes - 1, "too short")]
    [InlineData(AuthKeyFile.MaxBytes + 1, "too long")]
    public void A_key_written_in_the_cluster_file_is_held_to_the_same_sizes(int length, string what)
    {
        Assert.False(AuthKeyFile.TryFromConfig(new string('k', length), "c.conf: totem.key", out var key, out var problem));
        Assert.Empty(key);
        Assert.StartsWith($"c.conf: totem.key: key is {what}: it is {length} bytes", problem);
        Assert.True(AuthKeyFile.TryFromConfig(new string('k', AuthKeyFile.MinBytes), "c.conf: totem.key", out key, out _));
        Assert.Equal(AuthKeyFile.MinBytes, key.Length);
    }
}
