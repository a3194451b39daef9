namespace Totem.Protocol.Security;

/// <summary>corosync's <c>totem.crypto_cipher</c> (knet's names; <c>secauth: on</c> means aes256).</summary>
public enum CryptoCipher
{
    None,
    Aes256,
    Aes192,
    Aes128,
}

/// <summary>corosync's <c>totem.crypto_hash</c> (<c>secauth: on</c> means sha256).</summary>
public enum CryptoHash
{
    None,
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

/// <summary>
/// What every datagram of the ring gets, as exec/totemconfig.c decides it from secauth, crypto_cipher and
/// crypto_hash: authentication when <see cref="Hash"/> is not none, encryption as well when <see cref="Cipher"/>
/// is not none (corosync refuses a cipher without a hash).
/// </summary>
public sealed record CryptoSettings(CryptoCipher Cipher, CryptoHash Hash)
{
    public static readonly CryptoSettings Off = new(CryptoCipher.None, CryptoHash.None);

    public bool Authenticates => Hash != CryptoHash.None;

    public bool Encrypts => Cipher != CryptoCipher.None;
}
