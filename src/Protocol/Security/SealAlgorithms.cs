using System.Security.Cryptography;

namespace Totem.Protocol.Security;

/// <summary>Sizes and primitives behind corosync's crypto_cipher and crypto_hash names.</summary>
internal static class SealAlgorithms
{
    public static int KeyBytes(CryptoCipher cipher) => cipher switch
    {
        CryptoCipher.Aes256 => 32,
        CryptoCipher.Aes192 => 24,
        CryptoCipher.Aes128 => 16,
        _ => 0,
    };

    /// <summary>knet sends the whole digest as the tag (sec_hash_size is the digest's size); so does the seal.</summary>
    public static int TagBytes(CryptoHash hash) => hash switch
    {
        CryptoHash.Md5 => 16,
        CryptoHash.Sha1 => 20,
        CryptoHash.Sha256 => 32,
        CryptoHash.Sha384 => 48,
        CryptoHash.Sha512 => 64,
        _ => 0,
    };

    public const int MaxTagBytes = 64;

    /// <summary>
    /// The static one-shot HMACs: they allocate nothing and hold no state, so sealing and opening may run on
    /// different threads without sharing an incremental hash.
    /// </summary>
    public static void Mac(CryptoHash hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        var done = hash switch
        {
            CryptoHash.Md5 => HMACMD5.TryHashData(key, data, tag, out _),
            CryptoHash.Sha1 => HMACSHA1.TryHashData(key, data, tag, out _),
            CryptoHash.Sha256 => HMACSHA256.TryHashData(key, data, tag, out _),
            CryptoHash.Sha384 => HMACSHA384.TryHashData(key, data, tag, out _),
            CryptoHash.Sha512 => HMACSHA512.TryHashData(key, data, tag, out _),
            _ => throw new ArgumentOutOfRangeException(nameof(hash), hash, "no MAC for crypto_hash none"),
        };
        if (!done) throw new InvalidOperationException("the tag buffer is smaller than the digest");
    }
}
