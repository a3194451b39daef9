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
    /// One HMAC context per direction, reused for every datagram: the one-shot HMACs set a native context up per
    /// call, which costs more than hashing a token. Not thread-safe: each user holds it under its own lock.
    /// </summary>
    public static IncrementalHash CreateMac(CryptoHash hash, byte[] key) => IncrementalHash.CreateHMAC(hash switch
    {
        CryptoHash.Md5 => HashAlgorithmName.MD5,
        CryptoHash.Sha1 => HashAlgorithmName.SHA1,
        CryptoHash.Sha256 => HashAlgorithmName.SHA256,
        CryptoHash.Sha384 => HashAlgorithmName.SHA384,
        CryptoHash.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(hash), hash, "no MAC for crypto_hash none"),
    }, key);

    public static void Mac(IncrementalHash mac, ReadOnlySpan<byte> data, Span<byte> tag)
    {
        mac.AppendData(data);
        if (!mac.TryGetHashAndReset(tag, out _)) throw new InvalidOperationException("the tag buffer is smaller than the digest");
    }
}
