using Totem.Host.Control;
using Totem.Protocol.Config;
using Totem.Protocol.Security;

namespace Totem.Host.Totemd;

/// <summary>
/// What the ring's datagrams get and the key they get it with: the effective <see cref="CryptoSettings"/>
/// (totem_get_crypto) and, when crypto is on, the authkey read as totem_config_keyread reads it.
/// <paramref name="Source"/> names where the key came from ("/etc/corosync/authkey", "totem.key in FILE").
/// </summary>
public sealed record RingKey(CryptoSettings Crypto, ReadOnlyMemory<byte> Key, string? Source)
{
    public static readonly RingKey None = new(CryptoSettings.Off, ReadOnlyMemory<byte>.Empty, null);

    /// <summary>
    /// corosync's order: totem.keyfile, else totem.key, else the default file (here totemd.keyfile, whose default is
    /// corosync's /etc/corosync/authkey). Null with <paramref name="problem"/> naming the file and the fault.
    /// </summary>
    public static RingKey? Load(ClusterConfig config, string defaultKeyFile, out string problem)
    {
        ArgumentNullException.ThrowIfNull(config);
        problem = "";
        var crypto = TotemCrypto.Decide(config.Totem, out var error);
        if (crypto is null)
        {
            // The validator refuses these already; kept so that no caller can run with an undecided setting.
            problem = error!;
            return null;
        }
        // totem_config_keyread: no key is read, nor needed, when both are none.
        if (crypto == CryptoSettings.Off) return None;

        var needs = $"{TotemCrypto.Describe(crypto)} needs the cluster's key, but ";
        if (config.Totem.KeyFile is null && config.Totem.Key is { } inline)
        {
            var where = $"totem.key in {config.FileName}";
            if (!AuthKeyFile.TryFromConfig(inline, where, out var bytes, out var why))
            {
                problem = needs + why;
                return null;
            }
            return new RingKey(crypto, bytes, where);
        }
        var path = config.Totem.KeyFile ?? defaultKeyFile;
        if (!AuthKeyFile.TryLoad(path, out var key, out var refusal))
        {
            problem = needs + refusal;
            return null;
        }
        return new RingKey(crypto, key, Path.GetFullPath(path));
    }

    /// <summary>"crypto_cipher aes256, crypto_hash sha256, key /etc/corosync/authkey (256 bytes)", or "crypto off" with none.</summary>
    public string Describe() => Source is null
        ? "crypto off (crypto_cipher none, crypto_hash none)"
        : $"{TotemCrypto.Describe(Crypto)}, key {Source} ({Key.Length} bytes)";
}
