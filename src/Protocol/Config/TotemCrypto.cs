using Totem.Protocol.Security;

namespace Totem.Protocol.Config;

/// <summary>
/// The one place that decides what the ring's datagrams get from secauth, crypto_cipher and crypto_hash:
/// exec/totemconfig.c's totem_get_crypto. The validator, totemd and the transport all ask this, so a config
/// cannot be read as "crypto on" in one place and "off" in another.
/// </summary>
public static class TotemCrypto
{
    /// <summary>corosync's refusal of a cipher without a hash (unencrypted builds: a hash alone is allowed).</summary>
    public const string CipherWithoutHash = "crypto_cipher requires crypto_hash with value other than none";

    /// <summary>corosync's refusal when built without --enable-unencrypted and crypto is off in any part.</summary>
    public const string EncryptionRequired = "corosync is compiled to require enabled encryption";

    /// <summary>
    /// The effective settings, or null with <paramref name="error"/> (corosync's text) for a combination
    /// corosync refuses. <paramref name="unencryptedBuild"/> is corosync's ENABLE_UNENCRYPTED: this engine is
    /// such a build (it runs udpu, which corosync offers only with --enable-unencrypted), so by default crypto
    /// is off unless asked for; false gives the enforcing build's defaults (aes256/sha256) and refusal of none.
    /// </summary>
    public static CryptoSettings? Decide(TotemSettings totem, out string? error, bool unencryptedBuild = true)
    {
        ArgumentNullException.ThrowIfNull(totem);
        error = null;
        var cipher = unencryptedBuild ? CryptoCipher.None : CryptoCipher.Aes256;
        var hash = unencryptedBuild ? CryptoHash.None : CryptoHash.Sha256;

        // secauth, when present at all, replaces the build's default with on (aes256 + sha256) or off (none).
        if (totem.SecAuth is { } secauth)
            (cipher, hash) = secauth ? (CryptoCipher.Aes256, CryptoHash.Sha256) : (CryptoCipher.None, CryptoHash.None);

        // An explicit crypto_cipher / crypto_hash wins over secauth, each on its own.
        if (totem.CryptoCipher is { } c) cipher = Cipher(c) ?? cipher;
        if (totem.CryptoHash is { } h) hash = Hash(h) ?? hash;

        if (unencryptedBuild && cipher != CryptoCipher.None && hash == CryptoHash.None)
        {
            error = CipherWithoutHash;
            return null;
        }
        if (!unencryptedBuild && (cipher == CryptoCipher.None || hash == CryptoHash.None))
        {
            error = EncryptionRequired;
            return null;
        }
        return cipher == CryptoCipher.None && hash == CryptoHash.None ? CryptoSettings.Off : new CryptoSettings(cipher, hash);
    }

    /// <summary>corosync's spelling of a setting, as <c>runtime.config.totem.crypto_*</c> and the logs show it.</summary>
    public static string Name(CryptoCipher cipher) => cipher.ToString().ToLowerInvariant();

    /// <inheritdoc cref="Name(CryptoCipher)"/>
    public static string Name(CryptoHash hash) => hash.ToString().ToLowerInvariant();

    /// <summary>"crypto_cipher aes256, crypto_hash sha256": how totemd's start line and --check name the settings.</summary>
    public static string Describe(CryptoSettings crypto)
    {
        ArgumentNullException.ThrowIfNull(crypto);
        return $"crypto_cipher {Name(crypto.Cipher)}, crypto_hash {Name(crypto.Hash)}";
    }

    /// <summary>"aes256/sha256" (crypto_cipher/crypto_hash; "none" for both none): how the benchmarks name a suite.</summary>
    public static string Suite(CryptoSettings crypto)
    {
        ArgumentNullException.ThrowIfNull(crypto);
        return crypto == CryptoSettings.Off ? "none" : $"{Name(crypto.Cipher)}/{Name(crypto.Hash)}";
    }

    /// <summary>The inverse of <see cref="Suite"/>; null with <paramref name="error"/> for anything else or a cipher without a hash.</summary>
    public static CryptoSettings? ParseSuite(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        if (text == "none") return CryptoSettings.Off;
        var parts = text.Split('/');
        if (parts.Length == 2 && Cipher(parts[0]) is { } cipher && Hash(parts[1]) is { } hash)
        {
            if (cipher != CryptoCipher.None && hash == CryptoHash.None)
            {
                error = $"'{text}': crypto_cipher requires crypto_hash with value other than none";
                return null;
            }
            return new CryptoSettings(cipher, hash);
        }
        error = $"'{text}': expected crypto_cipher/crypto_hash (aes256|aes192|aes128|none / sha256|sha384|sha512|sha1|md5|none), e.g. aes256/sha256, or none";
        return null;
    }

    // Unknown words leave the value as it was, as totem_get_crypto's strcmp chain does; the parser already
    // refused them with the list of valid ones, so here they cannot occur from a file.
    private static CryptoCipher? Cipher(string text) => text switch
    {
        "none" => CryptoCipher.None,
        "aes256" => CryptoCipher.Aes256,
        "aes192" => CryptoCipher.Aes192,
        "aes128" => CryptoCipher.Aes128,
        _ => null,
    };

    private static CryptoHash? Hash(string text) => text switch
    {
        "none" => CryptoHash.None,
        "md5" => CryptoHash.Md5,
        "sha1" => CryptoHash.Sha1,
        "sha256" => CryptoHash.Sha256,
        "sha384" => CryptoHash.Sha384,
        "sha512" => CryptoHash.Sha512,
        _ => null,
    };
}
