using System.Globalization;
using System.Security.Cryptography;

namespace Totem.Host.Control;

/// <summary>
/// corosync's authkey: the shared secret every datagram's authentication (and encryption) is derived from.
/// Read by totemd at start, written by <c>totemctl keygen</c>. Each refusal names the file and what is wrong,
/// because a node that cannot use its key must not start at all: one that ran without it would be a node the
/// admin believes protected.
/// </summary>
public static class AuthKeyFile
{
    /// <summary>corosync's COROSYSCONFDIR "/authkey", read when the cluster file sets neither keyfile nor key.</summary>
    public const string DefaultPath = "/etc/corosync/authkey";

    /// <summary>TOTEM_PRIVATE_KEY_LEN_MIN (knet's KNET_MIN_KEY_LEN).</summary>
    public const int MinBytes = 128;

    /// <summary>TOTEM_PRIVATE_KEY_LEN_MAX (knet's KNET_MAX_KEY_LEN).</summary>
    public const int MaxBytes = 4096;

    /// <summary>What corosync-keygen writes without -s.</summary>
    public const int DefaultBytes = 256;

    /// <summary>Owner read only: what corosync-keygen leaves (it creates 0600, then fchmods 0400).</summary>
    public const UnixFileMode KeyMode = UnixFileMode.UserRead;

    // Any access by group or others: a key others can read is no secret, and one they can write can be
    // swapped to lock this node out. corosync and knet do not look at the mode (read_keyfile only opens and
    // reads); this is ssh's rule for private keys, applied because the issue asks that such a key be refused.
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>"0400": a mode as chmod writes it.</summary>
    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');

    /// <summary>The key's bytes, or false with <paramref name="problem"/> naming the file and the fault.</summary>
    public static bool TryLoad(string path, out byte[] key, out string problem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        key = [];
        problem = "";
        var full = Path.GetFullPath(path);
        string Refuse(string why) => $"authkey file '{full}' {why}";

        if (Directory.Exists(full))
        {
            problem = Refuse("is a directory, not a key file");
            return false;
        }
        if (!File.Exists(full))
        {
            problem = Refuse($"does not exist (create one with 'totemctl keygen -k {full}' and copy it to every node)");
            return false;
        }
        // A fifo, socket or device is never opened: reading a fifo blocks totemd's start until someone writes to it,
        // and a device (/dev/urandom, /dev/zero) gives endless bytes that are nobody's shared key. Every such file
        // (and a symlink to one) has a size of 0, as has an empty file, which is no key either.
        var resolved = File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        if (new FileInfo(resolved).Length == 0)
        {
            problem = Refuse("is empty or not a regular file (a fifo, a socket or a device): a key file holds the key's " +
                $"{MinBytes} to {MaxBytes} bytes (create one with 'totemctl keygen -k {full}')");
            return false;
        }
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(full);
            if ((mode & GroupOrOthers) != 0)
            {
                problem = Refuse($"has mode {Octal(mode)}: group and others may {Access(mode)} it; a key must be " +
                    $"readable by its owner only (chmod {Octal(KeyMode)} '{full}')");
                return false;
            }
        }

        byte[] read;
        try
        {
            // One byte past the maximum is enough to tell "too long"; corosync reads only the first 4096 and
            // silently uses a longer file's prefix, which hides a wrong file (a PEM, a tarball) behind a working key.
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            var buffer = new byte[MaxBytes + 1];
            var n = 0;
            while (n < buffer.Length && stream.Read(buffer, n, buffer.Length - n) is var got and > 0) n += got;
            read = buffer.AsSpan(0, n).ToArray();
        }
        catch (UnauthorizedAccessException)
        {
            problem = Refuse("cannot be read: permission denied (totemd must run as the key's owner, as corosync runs as root)");
            return false;
        }
        catch (IOException e)
        {
            problem = Refuse($"cannot be read: {e.Message}");
            return false;
        }

        if (SizeProblem(read.Length) is { } size)
        {
            problem = Refuse(size);
            return false;
        }
        key = read;
        return true;
    }

    /// <summary>
    /// corosync's <c>totem.key</c>: the key written in the cluster file itself, as its bytes; corosync refuses
    /// it with "key is too short" / "key is too long" (totem_config_keyread).
    /// </summary>
    public static bool TryFromConfig(string text, string where, out byte[] key, out string problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        key = System.Text.Encoding.UTF8.GetBytes(text);
        problem = "";
        if (SizeProblem(key.Length) is not { } size) return true;
        problem = $"{where}: key is too {(key.Length < MinBytes ? "short" : "long")}: it {size}";
        key = [];
        return false;
    }

    /// <summary>Why a key of <paramref name="bytes"/> bytes is refused, or null when its size is fine.</summary>
    public static string? SizeProblem(int bytes) => bytes switch
    {
        < MinBytes => $"is {Bytes(bytes)}: a key needs at least {MinBytes} bytes " +
            $"(corosync: Could only read {bytes * 8} bits of minimum {MinBytes * 8} bits)",
        > MaxBytes => $"is {Bytes(bytes)}: a key has at most {MaxBytes} bytes (corosync would silently use only the first {MaxBytes})",
        _ => null,
    };

    /// <summary>
    /// Writes a new key of <paramref name="bytes"/> random bytes with mode 0400; null when done, else why not.
    /// Unlike corosync-keygen, which truncates an existing file, an existing key is replaced only when
    /// <paramref name="overwrite"/> says so: a new key on one node locks it out of the ring the others keep running.
    /// </summary>
    public static string? Write(string path, int bytes, bool overwrite)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (bytes is < MinBytes or > MaxBytes)
            return $"unsupported key size {bytes.ToString(CultureInfo.InvariantCulture)} bytes (supported <{MinBytes},{MaxBytes}>, default {DefaultBytes})";
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return $"cannot write the key to '{full}': it is a directory";
        if (File.Exists(full) && !overwrite)
            return $"'{full}' already exists: a new key on one node locks it out of the ring that uses the old one; " +
                "give --force to replace it";
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory)) return $"cannot write the key to '{full}': the directory '{directory}' does not exist";

        // Written beside the target and renamed over it: the key never exists half-written or, even for a moment,
        // with a mode anyone else could read (the temporary file is created 0600, as corosync-keygen creates its file).
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var key = RandomNumberGenerator.GetBytes(bytes);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(key);
                stream.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, KeyMode);
            File.Move(temporary, full, overwrite);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            if (!overwrite && File.Exists(full))
                return $"'{full}' already exists: a new key on one node locks it out of the ring that uses the old one; give --force to replace it";
            return $"cannot write the key to '{full}': {(e is UnauthorizedAccessException ? "permission denied" : e.Message)}";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: the error that brought us here is the one reported.
        }
    }

    private static string Bytes(int n) => n == 1 ? "1 byte" : $"{n.ToString(CultureInfo.InvariantCulture)} bytes";

    private static string Access(UnixFileMode mode)
    {
        var read = (mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;
        var write = (mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;
        return (read, write) switch
        {
            (true, true) => "read and change",
            (true, false) => "read",
            (false, true) => "change",
            _ => "use",
        };
    }
}
