using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Totem.Protocol.Security;

/// <summary>
/// The seal's CBC IVs: AES of a 128-bit counter under a key drawn once from the OS's CSPRNG (NIST SP 800-38A,
/// appendix C: a CBC IV made by the forward cipher of a nonce is unpredictable; the key here is its own, never
/// used on anything a peer or an attacker chooses). Unpredictable without the key like the CSPRNG's bytes, and
/// never repeated within a seal's life (AES is a permutation and the counter never repeats; across lives the key
/// is new). Made 64 at a time with one call of a kept ECB context: one <see cref="RandomNumberGenerator.Fill"/> per
/// datagram cost more than the rest of a token's seal. Thread-safe.
/// </summary>
public sealed class CounterIvSource : IDisposable
{
    private const int Block = KeptCbc.BlockBytes;
    private const int BlocksPerBatch = 64;

    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counters = new byte[BlocksPerBatch * Block];
    private readonly byte[] _batch = new byte[BlocksPerBatch * Block];
    private readonly object _gate = new();
    private UInt128 _next;
    private int _used = BlocksPerBatch * Block;

    public CounterIvSource()
    {
        // The key from the CSPRNG (as RandomNumberGenerator.Fill); the Aes instance's Dispose clears its copy.
        using var aes = Aes.Create();
        aes.KeySize = 256;
        aes.GenerateKey();
        aes.Mode = CipherMode.ECB;
        aes.Padding = PaddingMode.None;
        _ecb = aes.CreateEncryptor();
    }

    /// <summary>Fills <paramref name="destination"/> (any length; an IV is 16 bytes) with the stream's next bytes.</summary>
    public void Fill(Span<byte> destination)
    {
        lock (_gate)
        {
            while (!destination.IsEmpty)
            {
                if (_used == _batch.Length) Refill();
                var take = Math.Min(destination.Length, _batch.Length - _used);
                _batch.AsSpan(_used, take).CopyTo(destination);
                _used += take;
                destination = destination[take..];
            }
        }
    }

    private void Refill()
    {
        for (var i = 0; i < BlocksPerBatch; i++)
        {
            BinaryPrimitives.WriteUInt128BigEndian(_counters.AsSpan(i * Block, Block), _next);
            _next++;
        }
        if (_ecb.TransformBlock(_counters, 0, _counters.Length, _batch, 0) != _batch.Length)
            throw new CryptographicException("the IV context returned a short batch");
        _used = 0;
    }

    public void Dispose() => _ecb.Dispose();
}
