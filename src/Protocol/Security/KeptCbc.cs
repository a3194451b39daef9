using System.Security.Cryptography;

namespace Totem.Protocol.Security;

/// <summary>
/// AES-CBC with PKCS#7 over one native cipher context kept for the seal's life, for datagrams that each have their
/// own IV. The one-shot <see cref="SymmetricAlgorithm.TryEncryptCbc(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte}, out int, PaddingMode)"/>
/// sets a native context up (key schedule included) per call, which cost more than encrypting a 1 KiB datagram.
/// A kept CBC transform chains each call onto the last ciphertext block of the one before (its chaining block);
/// xoring (chaining block XOR the datagram's IV) into the first block makes each call exactly a fresh CBC under the
/// datagram's IV, so the bytes on the wire are the one-shot's. Encrypt-then-MAC: the seal decrypts only what its
/// tag verified, so the padding check here is no oracle. Not thread-safe: each user holds it under its own lock.
/// </summary>
public sealed class KeptCbc : IDisposable
{
    public const int BlockBytes = 16;

    private readonly ICryptoTransform _transform;
    private readonly bool _encrypts;
    // What the native context chains the next call onto: the IV it was made with (zeros), then the last ciphertext block.
    private readonly byte[] _chain = new byte[BlockBytes];
    // ICryptoTransform takes arrays only: the datagram goes through these, grown to the largest one seen.
    private byte[] _input = new byte[2048];
    private byte[] _output = new byte[2048];

    private KeptCbc(ReadOnlySpan<byte> key, bool encrypts)
    {
        var keyCopy = key.ToArray();
        try
        {
            using var aes = Aes.Create(); // its Dispose clears its own copy of the key
            aes.Mode = CipherMode.CBC;
            aes.Padding = PaddingMode.None;
            _transform = encrypts ? aes.CreateEncryptor(keyCopy, _chain) : aes.CreateDecryptor(keyCopy, _chain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyCopy);
        }
        _encrypts = encrypts;
    }

    public static KeptCbc Encryptor(ReadOnlySpan<byte> key) => new(key, encrypts: true);

    public static KeptCbc Decryptor(ReadOnlySpan<byte> key) => new(key, encrypts: false);

    /// <summary>The ciphertext's length for <paramref name="plainLength"/> bytes: PKCS#7 always adds 1 to 16 bytes.</summary>
    public static int CipherLength(int plainLength) => (plainLength / BlockBytes + 1) * BlockBytes;

    /// <summary>Encrypts <paramref name="plain"/> under <paramref name="iv"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public int Encrypt(ReadOnlySpan<byte> plain, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        if (!_encrypts) throw new InvalidOperationException("this context decrypts");
        if (iv.Length != BlockBytes) throw new ArgumentException($"the IV has {iv.Length} bytes, not {BlockBytes}", nameof(iv));
        var length = CipherLength(plain.Length);
        if (destination.Length < length) throw new ArgumentException($"the ciphertext needs {length} bytes", nameof(destination));
        Reserve(length);
        plain.CopyTo(_input);
        _input.AsSpan(plain.Length, length - plain.Length).Fill((byte)(length - plain.Length));
        for (var i = 0; i < BlockBytes; i++) _input[i] ^= (byte)(iv[i] ^ _chain[i]);
        Transform(length);
        _output.AsSpan(length - BlockBytes, BlockBytes).CopyTo(_chain);
        _output.AsSpan(0, length).CopyTo(destination);
        return length;
    }

    /// <summary>
    /// Decrypts <paramref name="cipher"/> (whole blocks, at least one) under <paramref name="iv"/> into
    /// <paramref name="destination"/> (at least the ciphertext's length); false when the padding is not PKCS#7.
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> cipher, ReadOnlySpan<byte> iv, Span<byte> destination, out int written)
    {
        if (_encrypts) throw new InvalidOperationException("this context encrypts");
        if (iv.Length != BlockBytes) throw new ArgumentException($"the IV has {iv.Length} bytes, not {BlockBytes}", nameof(iv));
        if (cipher.Length == 0 || cipher.Length % BlockBytes != 0) throw new ArgumentException($"{cipher.Length} bytes are not whole AES blocks", nameof(cipher));
        if (destination.Length < cipher.Length) throw new ArgumentException($"the plain text needs up to {cipher.Length} bytes", nameof(destination));
        var length = cipher.Length;
        Reserve(length);
        cipher.CopyTo(_input);
        Transform(length);
        for (var i = 0; i < BlockBytes; i++) _output[i] ^= (byte)(iv[i] ^ _chain[i]);
        cipher[^BlockBytes..].CopyTo(_chain);
        written = 0;
        var pad = _output[length - 1];
        if (pad is 0 or > BlockBytes) return false;
        for (var i = length - pad; i < length - 1; i++)
            if (_output[i] != pad) return false;
        written = length - pad;
        _output.AsSpan(0, written).CopyTo(destination);
        return true;
    }

    private void Transform(int length)
    {
        var done = _transform.TransformBlock(_input, 0, length, _output, 0);
        // With no padding the context holds nothing back; anything else would desynchronise the chaining block.
        if (done != length) throw new CryptographicException($"the kept AES-CBC context returned {done} of {length} bytes");
    }

    private void Reserve(int length)
    {
        if (_input.Length >= length) return;
        CryptographicOperations.ZeroMemory(_input);
        CryptographicOperations.ZeroMemory(_output);
        _input = new byte[length];
        _output = new byte[length];
    }

    public void Dispose()
    {
        _transform.Dispose();
        CryptographicOperations.ZeroMemory(_input);
        CryptographicOperations.ZeroMemory(_output);
    }
}
