using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Security;

/// <summary>
/// Authenticates, and encrypts when a cipher is configured, every datagram of one node: encrypt-then-MAC as
/// knet's crypto_nss/crypto_openssl do (a random IV per datagram, AES-CBC, then an HMAC over everything before the
/// tag), with keys derived per purpose and a replay header knet does not have. Deterministic given its injected
/// randomness and boot epoch.
/// <para>Wire layout (big-endian):</para>
/// <code>
///  0      1  version 0xA1 (a clear Totem datagram starts with 'T', so the two never mix silently)
///  1      1  suite: cipher &lt;&lt; 4 | hash (CryptoCipher, CryptoHash)
///  2      4  sender node id
///  6      4  destination node id; 0 = every peer (udpu's multicast is one sealed datagram sent to each)
/// 10      8  sender boot epoch
/// 18      8  sender counter (1, 2, ... in each epoch)
/// 26     16  IV, random                         (only with a cipher)
/// ..      n  AES-CBC/PKCS#7 of the datagram, or the datagram itself with cipher none
/// ..      t  HMAC(mac key, bytes 0 .. here), t = the digest size of crypto_hash
/// </code>
/// <para>
/// Replay: the receiver keeps per sender the highest epoch and a <see cref="ReplayWindow"/> of counters, and
/// touches it only after the tag verified. A datagram is refused when it is from an older epoch, below the window,
/// already seen, addressed to another node, or carries the receiver's own id (reflected back). Limits: the state
/// is in memory, so a receiver that itself restarted accepts, once each, authentic datagrams captured earlier
/// (of any earlier epoch of a sender until it hears that sender's newer one; of the current epoch whose counters
/// it has not seen). What it cannot be fooled by: anything not made with the key and cluster name, any change to
/// a datagram, a datagram meant for another node, or the same datagram twice in its own life. Totem then keeps
/// the ring safe from what does pass: a restarted node forms rings above the ring seq it persisted, tokens and
/// mcasts of a ring it is not in are ignored by the ring protocol, and an old join can at worst start a
/// membership round, as a lost token would.
/// </para>
/// <para>
/// Threads: <see cref="Seal(ReadOnlySpan{byte}, NodeId)"/> and TryOpen may run concurrently: each direction has its
/// own cipher and HMAC context under its own lock.
/// </para>
/// <para>
/// Cost: every native context (the two HMACs, the two CBC contexts, the IV source's) is made once with its key and
/// kept, so a datagram costs one HMAC and at most one AES call each way, plus a 16-byte copy of a batched IV: the
/// per-call set-up of the one-shot APIs was most of a small datagram's cost (notes/issue-12-throughput.md).
/// </para>
/// </summary>
public sealed class DatagramSeal : IDisposable
{
    public const byte Version = 0xA1;
    public const int HeaderBytes = 26;
    public const int IvBytes = 16;
    public const int MinAuthKeyBytes = 128;
    public const int MaxAuthKeyBytes = 4096;
    private const int BlockBytes = 16;

    /// <summary>The most a seal adds to a datagram under any suite: header, IV, a full padding block and the longest tag.</summary>
    public const int MaxOverheadBytes = HeaderBytes + IvBytes + BlockBytes + SealAlgorithms.MaxTagBytes;

    /// <summary>The destination of a datagram sent to every peer.</summary>
    public static readonly NodeId Everyone = new(0);

    private readonly CryptoSettings _settings;
    private readonly byte _suite;
    private readonly NodeId _local;
    private readonly ulong _epoch;
    private readonly Action<Span<byte>> _fillRandom;
    private readonly int _windowSize;
    private readonly int _tagBytes;
    private readonly IncrementalHash _sealMac;
    private readonly IncrementalHash _openMac;
    private readonly KeptCbc? _sealCipher;
    private readonly KeptCbc? _openCipher;
    private readonly CounterIvSource? _ivSource;
    private readonly Dictionary<uint, ReplayWindow> _windows = new();
    private readonly object _sealGate = new();
    private readonly object _openGate = new();
    private ulong _counter;

    /// <param name="settings">Must authenticate: crypto none needs no seal, and a cipher without a hash is refused as corosync refuses it.</param>
    /// <param name="clusterName">
    /// Mixed into every derived key: an authkey is often copied from one cluster's template to the next, and two
    /// clusters that share it and hear each other (the same subnet and port) would otherwise accept each other's
    /// datagrams and merge. With the name in the derivation their tags fail and the traffic is counted as bad tag.
    /// </param>
    /// <param name="bootEpoch">Grows across the sender's restarts (see <see cref="DatagramCrypto.BootEpoch"/>).</param>
    /// <param name="fillRandom">Fills each datagram's IV; a <see cref="CounterIvSource"/> of the seal's own unless a test injects one.</param>
    public DatagramSeal(CryptoSettings settings, ReadOnlySpan<byte> authKey, string clusterName, NodeId localNode, ulong bootEpoch,
        Action<Span<byte>>? fillRandom = null, int windowSize = ReplayWindow.DefaultSize)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clusterName);
        if (!settings.Authenticates)
            throw new ArgumentException(settings.Encrypts ? "crypto_cipher requires crypto_hash" : "crypto none: datagrams are not sealed", nameof(settings));
        if (authKey.Length is < MinAuthKeyBytes or > MaxAuthKeyBytes)
            throw new ArgumentException($"the authkey has {authKey.Length} bytes; corosync takes {MinAuthKeyBytes} to {MaxAuthKeyBytes}", nameof(authKey));
        if (localNode == Everyone) throw new ArgumentException("node id 0 is the broadcast destination", nameof(localNode));
        _ = new ReplayWindow(windowSize); // validates the size where the mistake is made, not at the first datagram
        _settings = settings;
        _suite = (byte)(((int)settings.Cipher << 4) | (int)settings.Hash);
        _local = localNode;
        _epoch = bootEpoch;
        if (fillRandom is null && settings.Encrypts)
        {
            _ivSource = new CounterIvSource();
            fillRandom = _ivSource.Fill;
        }
        _fillRandom = fillRandom ?? (_ => { });
        _windowSize = windowSize;
        _tagBytes = SealAlgorithms.TagBytes(settings.Hash);
        // A MAC key of at least 32 bytes even for md5/sha1: HMAC's strength is bounded by its key, and the key costs nothing.
        var macKey = DeriveKey(authKey, "mac key", Math.Max(32, _tagBytes), clusterName);
        _sealMac = SealAlgorithms.CreateMac(settings.Hash, macKey);
        _openMac = SealAlgorithms.CreateMac(settings.Hash, macKey);
        CryptographicOperations.ZeroMemory(macKey);
        if (settings.Encrypts)
        {
            var cipherKey = DeriveKey(authKey, "cipher key", SealAlgorithms.KeyBytes(settings.Cipher), clusterName);
            _sealCipher = KeptCbc.Encryptor(cipherKey);
            _openCipher = KeptCbc.Decryptor(cipherKey);
            CryptographicOperations.ZeroMemory(cipherKey);
        }
    }

    public CryptoSettings Settings => _settings;

    public ulong Epoch => _epoch;

    /// <summary>
    /// HKDF (RFC 5869) with SHA-256 whatever crypto_hash is: the derivation's strength should not fall with an md5 or
    /// sha1 tag. Distinct labels give the cipher and the MAC independent keys (knet uses the authkey for both); the
    /// suite byte in the label keeps a key of one suite from ever being the key of another.
    /// </summary>
    private byte[] DeriveKey(ReadOnlySpan<byte> authKey, string purpose, int length, string clusterName)
    {
        var info = Encoding.UTF8.GetBytes($"totem datagram seal v1\0{purpose}\0suite {_suite:x2}\0cluster {clusterName}");
        var key = new byte[length];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, authKey, key, "totem-seal"u8, info);
        return key;
    }

    /// <summary>The sender id in a sealed datagram's header; authentic only once TryOpen accepted the datagram.</summary>
    public static NodeId SenderOf(ReadOnlySpan<byte> wire) => new(BinaryPrimitives.ReadUInt32BigEndian(wire[2..]));

    /// <summary>The length of the sealed form of a datagram of <paramref name="plainLength"/> bytes.</summary>
    public int SealedLength(int plainLength) =>
        HeaderBytes + (_settings.Encrypts ? IvBytes + KeptCbc.CipherLength(plainLength) : plainLength) + _tagBytes;

    /// <summary>The most bytes <see cref="TryOpen(ReadOnlySpan{byte}, Span{byte}, out int, out SealFailure)"/> can write for a sealed datagram of this length.</summary>
    public int MaxOpenedLength(int sealedLength) =>
        Math.Max(0, sealedLength - HeaderBytes - _tagBytes - (_settings.Encrypts ? IvBytes : 0));

    /// <summary>Seals one datagram into a new array, the one allocation of the way out.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plain, NodeId destination)
    {
        var wire = new byte[SealedLength(plain.Length)];
        Seal(plain, destination, wire);
        return wire;
    }

    /// <summary>Seals into <paramref name="wire"/> (at least <see cref="SealedLength"/> bytes); returns the bytes written.</summary>
    public int Seal(ReadOnlySpan<byte> plain, NodeId destination, Span<byte> wire)
    {
        var length = SealedLength(plain.Length);
        if (wire.Length < length) throw new ArgumentException($"the sealed datagram needs {length} bytes", nameof(wire));
        wire[0] = Version;
        wire[1] = _suite;
        BinaryPrimitives.WriteUInt32BigEndian(wire[2..], _local.Value);
        BinaryPrimitives.WriteUInt32BigEndian(wire[6..], destination.Value);
        BinaryPrimitives.WriteUInt64BigEndian(wire[10..], _epoch);
        lock (_sealGate)
        {
            BinaryPrimitives.WriteUInt64BigEndian(wire[18..], ++_counter);
            var bodyStart = HeaderBytes;
            int bodyLength;
            if (_sealCipher is not null)
            {
                var iv = wire.Slice(HeaderBytes, IvBytes);
                _fillRandom(iv);
                bodyStart += IvBytes;
                bodyLength = _sealCipher.Encrypt(plain, iv, wire[bodyStart..]);
            }
            else
            {
                plain.CopyTo(wire[bodyStart..]);
                bodyLength = plain.Length;
            }
            var tagStart = bodyStart + bodyLength;
            SealAlgorithms.Mac(_sealMac, wire[..tagStart], wire.Slice(tagStart, _tagBytes));
            return tagStart + _tagBytes;
        }
    }

    /// <summary>Opens a sealed datagram into a new array of exactly its plain length.</summary>
    public bool TryOpen(ReadOnlySpan<byte> wire, out byte[] plain, out SealFailure failure)
    {
        var max = MaxOpenedLength(wire.Length);
        if (_sealCipher is null)
        {
            plain = new byte[max];
            if (TryOpen(wire, plain, out _, out failure)) return true;
            plain = [];
            return false;
        }
        // CBC's plain length is known only after the padding is read: decrypt into a pooled buffer, copy out once.
        var scratch = ArrayPool<byte>.Shared.Rent(Math.Max(1, max));
        try
        {
            if (TryOpen(wire, scratch, out var written, out failure))
            {
                plain = scratch.AsSpan(0, written).ToArray();
                return true;
            }
            plain = [];
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch, clearArray: true);
        }
    }

    /// <summary>
    /// Verifies, checks for replay and decrypts; writes the datagram into <paramref name="plain"/> (at least
    /// <see cref="MaxOpenedLength"/> bytes). Never throws for anything a datagram can contain.
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> wire, Span<byte> plain, out int written, out SealFailure failure)
    {
        lock (_openGate) return TryOpenLocked(wire, plain, out written, out failure);
    }

    private bool TryOpenLocked(ReadOnlySpan<byte> wire, Span<byte> plain, out int written, out SealFailure failure)
    {
        written = 0;
        failure = Inspect(wire);
        if (failure != SealFailure.None) return false;
        var sender = BinaryPrimitives.ReadUInt32BigEndian(wire[2..]);
        var destination = BinaryPrimitives.ReadUInt32BigEndian(wire[6..]);
        var epoch = BinaryPrimitives.ReadUInt64BigEndian(wire[10..]);
        var counter = BinaryPrimitives.ReadUInt64BigEndian(wire[18..]);
        if (destination != Everyone.Value && destination != _local.Value)
        {
            failure = SealFailure.WrongDestination;
            return false;
        }
        if (sender == _local.Value)
        {
            failure = SealFailure.FromSelf;
            return false;
        }
        var bodyStart = HeaderBytes + (_openCipher is null ? 0 : IvBytes);
        var body = wire[bodyStart..^_tagBytes];
        if (plain.Length < body.Length) throw new ArgumentException($"the opened datagram needs up to {body.Length} bytes", nameof(plain));
        if (!_windows.TryGetValue(sender, out var window))
        {
            window = new ReplayWindow(_windowSize);
            _windows.Add(sender, window);
        }
        failure = window.Check(epoch, counter) switch
        {
            ReplayVerdict.OlderEpoch => SealFailure.OlderEpoch,
            ReplayVerdict.BelowWindow => SealFailure.BelowWindow,
            ReplayVerdict.Duplicate => SealFailure.Replayed,
            _ => SealFailure.None,
        };
        if (failure != SealFailure.None) return false;
        if (_openCipher is not null)
        {
            if (!_openCipher.TryDecrypt(body, wire.Slice(HeaderBytes, IvBytes), plain, out written))
            {
                written = 0;
                failure = SealFailure.BadPadding;
                return false;
            }
        }
        else
        {
            body.CopyTo(plain);
            written = body.Length;
        }
        window.Record(epoch, counter);
        return true;
    }

    /// <summary>The checks that need no state: length, format, suite and tag, in that order; the tag in constant time.</summary>
    private SealFailure Inspect(ReadOnlySpan<byte> wire)
    {
        var overhead = HeaderBytes + _tagBytes + (_openCipher is null ? 0 : IvBytes + BlockBytes);
        if (wire.Length < overhead) return SealFailure.TooShort;
        if (wire[0] != Version) return SealFailure.BadVersion;
        if (wire[1] != _suite) return SealFailure.SuiteMismatch;
        if (_openCipher is not null && (wire.Length - HeaderBytes - IvBytes - _tagBytes) % BlockBytes != 0) return SealFailure.BadLength;
        var tagStart = wire.Length - _tagBytes;
        Span<byte> expected = stackalloc byte[SealAlgorithms.MaxTagBytes];
        expected = expected[.._tagBytes];
        SealAlgorithms.Mac(_openMac, wire[..tagStart], expected);
        return CryptographicOperations.FixedTimeEquals(expected, wire[tagStart..]) ? SealFailure.None : SealFailure.BadTag;
    }

    public void Dispose()
    {
        _sealMac.Dispose();
        _openMac.Dispose();
        _sealCipher?.Dispose();
        _openCipher?.Dispose();
        _ivSource?.Dispose();
    }
}
