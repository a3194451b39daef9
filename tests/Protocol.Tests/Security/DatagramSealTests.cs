using System.Buffers.Binary;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Tests.Security;

public sealed class DatagramSealTests
{
    private static readonly NodeId One = new(1);
    private static readonly NodeId Two = new(2);
    private static readonly NodeId Three = new(3);
    private static readonly CryptoSettings Aes256Sha256 = new(CryptoCipher.Aes256, CryptoHash.Sha256);
    private static readonly CryptoSettings Sha256Only = new(CryptoCipher.None, CryptoHash.Sha256);

    public static TheoryData<CryptoCipher, CryptoHash> Suites()
    {
        var data = new TheoryData<CryptoCipher, CryptoHash>();
        foreach (var cipher in Enum.GetValues<CryptoCipher>())
        foreach (var hash in Enum.GetValues<CryptoHash>())
            if (hash != CryptoHash.None) data.Add(cipher, hash);
        return data;
    }

    public static TheoryData<CryptoCipher, CryptoHash> TwoSuites() => new() { { CryptoCipher.Aes256, CryptoHash.Sha256 }, { CryptoCipher.None, CryptoHash.Sha256 } };

    private static byte[] Key(int seed, int length = 256)
    {
        var key = new byte[length];
        new Random(seed).NextBytes(key);
        return key;
    }

    private static DatagramSeal Seal(CryptoSettings settings, NodeId node, ulong epoch = 1000, byte[]? key = null, string cluster = "alpha", Action<Span<byte>>? random = null) =>
        new(settings, key ?? Key(1), cluster, node, epoch, random);

    private static byte[] Payload(int length)
    {
        var p = new byte[length];
        for (var i = 0; i < length; i++) p[i] = (byte)(i * 7 + 3);
        return p;
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Every_cipher_and_hash_round_trips_datagrams_of_every_size_class(CryptoCipher cipher, CryptoHash hash)
    {
        var settings = new CryptoSettings(cipher, hash);
        using var sender = Seal(settings, One);
        using var receiver = Seal(settings, Two);
        foreach (var length in new[] { 0, 1, 15, 16, 17, 64, 1024, 1400, 60_000 })
        {
            var plain = Payload(length);
            var wire = sender.Seal(plain, DatagramSeal.Everyone);
            Assert.Equal(sender.SealedLength(length), wire.Length);
            Assert.True(receiver.TryOpen(wire, out var opened, out var failure), $"{cipher}/{hash} {length} B: {failure}");
            Assert.Equal(SealFailure.None, failure);
            Assert.Equal(plain, opened);
            // Hash only is authenticated plaintext; with a cipher the payload must not be on the wire.
            if (length >= 64)
                Assert.Equal(cipher == CryptoCipher.None, wire.AsSpan().IndexOf(plain.AsSpan(0, 32)) >= 0);
        }
    }

    [Theory]
    [MemberData(nameof(TwoSuites))]
    public void The_kept_contexts_stay_in_step_over_many_datagrams_with_refused_ones_between(CryptoCipher cipher, CryptoHash hash)
    {
        var settings = new CryptoSettings(cipher, hash);
        using var sender = Seal(settings, One);
        using var receiver = Seal(settings, Two);
        var ivs = new HashSet<string>();
        var sizes = new[] { 0, 17, 64, 1400, 1, 1024, 15, 16 };
        for (var i = 0; i < 2_000; i++)
        {
            var plain = Payload(sizes[i % sizes.Length] + i % 3);
            var wire = sender.Seal(plain, DatagramSeal.Everyone);
            if (cipher != CryptoCipher.None) Assert.True(ivs.Add(Convert.ToHexString(wire, DatagramSeal.HeaderBytes, DatagramSeal.IvBytes)), $"IV of datagram {i} repeated");
            if (i % 7 == 0)
            {
                // A forged copy (the byte before the 32-byte sha256 tag flipped) first: refused, and the good one after it still opens.
                var forged = (byte[])wire.Clone();
                forged[^33] ^= 0x01;
                Refused(receiver, forged, SealFailure.BadTag);
            }
            Assert.True(receiver.TryOpen(wire, out var opened, out var failure), $"datagram {i}: {failure}");
            Assert.Equal(plain, opened);
        }
    }

    private static void Refused(DatagramSeal receiver, ReadOnlySpan<byte> wire, SealFailure expected)
    {
        Assert.False(receiver.TryOpen(wire, out _, out var failure), $"accepted, {expected} expected");
        Assert.Equal(expected, failure);
    }

    /// <summary>Node 1 sealing, node 2 opening, with one suite, key and cluster name.</summary>
    private sealed class Link(CryptoSettings settings) : IDisposable
    {
        public DatagramSeal Sender { get; } = Seal(settings, One);
        public DatagramSeal Receiver { get; } = Seal(settings, Two);

        public void Dispose()
        {
            Sender.Dispose();
            Receiver.Dispose();
        }
    }

    [Fact]
    public void The_header_is_laid_out_as_documented_and_the_IV_is_the_injected_randomness()
    {
        using var sender = Seal(Aes256Sha256, One, epoch: 0x0102030405060708, random: s => s.Fill(0xEE));
        var wire = sender.Seal(Payload(20), Three);
        Assert.Equal(DatagramSeal.Version, wire[0]);
        Assert.Equal((byte)0x13, wire[1]); // aes256 = 1, sha256 = 3
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(wire.AsSpan(2)));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32BigEndian(wire.AsSpan(6)));
        Assert.Equal(0x0102030405060708UL, BinaryPrimitives.ReadUInt64BigEndian(wire.AsSpan(10)));
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64BigEndian(wire.AsSpan(18)));
        Assert.All(wire.AsSpan(26, 16).ToArray(), b => Assert.Equal(0xEE, b));
        Assert.Equal(26 + 16 + 32 + 32, wire.Length); // 20 B pad to 32, sha256 tag 32
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64BigEndian(sender.Seal(Payload(20), Three).AsSpan(18)));
    }

    [Fact]
    public void Sealing_is_deterministic_given_its_randomness_and_every_datagram_gets_a_fresh_IV_from_it()
    {
        static Action<Span<byte>> Seeded(int seed)
        {
            var r = new Random(seed);
            return s => r.NextBytes(s);
        }
        using var a = Seal(Aes256Sha256, One, random: Seeded(5));
        using var b = Seal(Aes256Sha256, One, random: Seeded(5));
        var first = a.Seal(Payload(100), Two);
        Assert.Equal(first, b.Seal(Payload(100), Two));
        var second = a.Seal(Payload(100), Two);
        Assert.NotEqual(first.AsSpan(26, 16).ToArray(), second.AsSpan(26, 16).ToArray());

        using var real = Seal(Aes256Sha256, One);
        Assert.NotEqual(real.Seal(Payload(100), Two).AsSpan(26, 16).ToArray(), real.Seal(Payload(100), Two).AsSpan(26, 16).ToArray());
    }

    [Theory]
    [MemberData(nameof(TwoSuites))]
    public void A_flipped_bit_anywhere_is_refused(CryptoCipher cipher, CryptoHash hash)
    {
        using var link = new Link(new CryptoSettings(cipher, hash));
        var (sender, receiver) = (link.Sender, link.Receiver);
        var wire = sender.Seal(Payload(100), Two);
        for (var bit = 0; bit < wire.Length * 8; bit++)
        {
            var bad = (byte[])wire.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(receiver.TryOpen(bad, out _, out var failure), $"bit {bit} flipped was accepted");
            var expected = (bit / 8) switch { 0 => SealFailure.BadVersion, 1 => SealFailure.SuiteMismatch, _ => SealFailure.BadTag };
            Assert.Equal(expected, failure);
        }
        // The refusals left no trace: the genuine datagram still opens.
        Assert.True(receiver.TryOpen(wire, out _, out _));
    }

    [Theory]
    [MemberData(nameof(TwoSuites))]
    public void A_truncated_or_extended_datagram_is_refused(CryptoCipher cipher, CryptoHash hash)
    {
        using var link = new Link(new CryptoSettings(cipher, hash));
        var (sender, receiver) = (link.Sender, link.Receiver);
        var wire = sender.Seal(Payload(100), Two);
        var minimum = DatagramSeal.HeaderBytes + 32 + (cipher == CryptoCipher.None ? 0 : 32);
        for (var length = 0; length < wire.Length; length++)
        {
            Assert.False(receiver.TryOpen(wire.AsSpan(0, length), out _, out var failure), $"truncated to {length} B was accepted");
            if (length < minimum) Assert.Equal(SealFailure.TooShort, failure);
            else if (cipher != CryptoCipher.None && (length - 74) % 16 != 0) Assert.Equal(SealFailure.BadLength, failure);
            else Assert.Equal(SealFailure.BadTag, failure);
        }
        Assert.False(receiver.TryOpen([.. wire, 0], out _, out var extended));
        Assert.NotEqual(SealFailure.None, extended);
        Assert.True(receiver.TryOpen(wire, out _, out _));
    }

    [Theory]
    [MemberData(nameof(TwoSuites))]
    public void Another_key_or_another_cluster_name_is_a_bad_tag(CryptoCipher cipher, CryptoHash hash)
    {
        var settings = new CryptoSettings(cipher, hash);
        using var receiver = Seal(settings, Two);
        using var otherKey = Seal(settings, One, key: Key(2));
        using var oneByteOff = Seal(settings, One, key: Key(1).Select((b, i) => i == 200 ? (byte)(b ^ 1) : b).ToArray());
        using var otherCluster = Seal(settings, One, cluster: "beta");
        foreach (var stranger in new[] { otherKey, oneByteOff, otherCluster })
        {
            Refused(receiver, stranger.Seal(Payload(64), Two), SealFailure.BadTag);
        }
        using var same = Seal(settings, One);
        Assert.True(receiver.TryOpen(same.Seal(Payload(64), Two), out _, out _));
    }

    [Fact]
    public void Another_cipher_or_hash_is_a_suite_mismatch()
    {
        using var receiver = Seal(Aes256Sha256, Two);
        foreach (var settings in new[] { new CryptoSettings(CryptoCipher.Aes128, CryptoHash.Sha256), new CryptoSettings(CryptoCipher.Aes256, CryptoHash.Sha512), Sha256Only })
        {
            using var other = Seal(settings, One);
            Refused(receiver, other.Seal(Payload(64), Two), SealFailure.SuiteMismatch);
        }
    }

    [Theory]
    [MemberData(nameof(TwoSuites))]
    public void The_same_datagram_twice_is_a_replay(CryptoCipher cipher, CryptoHash hash)
    {
        using var link = new Link(new CryptoSettings(cipher, hash));
        var (sender, receiver) = (link.Sender, link.Receiver);
        var first = sender.Seal(Payload(64), DatagramSeal.Everyone);
        var second = sender.Seal(Payload(64), DatagramSeal.Everyone);
        Assert.True(receiver.TryOpen(second, out _, out _));
        Assert.True(receiver.TryOpen(first, out _, out _)); // reordered, not replayed
        Refused(receiver, first, SealFailure.Replayed);
        Refused(receiver, second, SealFailure.Replayed);
    }

    [Fact]
    public void A_datagram_of_an_earlier_life_of_its_sender_is_an_older_epoch()
    {
        using var before = Seal(Aes256Sha256, One, epoch: 1_000);
        using var after = Seal(Aes256Sha256, One, epoch: 2_000);
        using var receiver = Seal(Aes256Sha256, Two);
        var captured = before.Seal(Payload(64), Two);
        var unseen = before.Seal(Payload(64), Two);
        Assert.True(receiver.TryOpen(captured, out _, out _));
        // The restarted sender counts from 1 again and is heard; the old life's datagrams, even unseen ones, are over.
        Assert.True(receiver.TryOpen(after.Seal(Payload(64), Two), out _, out _));
        Refused(receiver, unseen, SealFailure.OlderEpoch);
        Refused(receiver, captured, SealFailure.OlderEpoch);
    }

    [Fact]
    public void A_counter_below_the_window_is_refused_and_one_at_its_edge_is_not()
    {
        using var sender = Seal(Sha256Only, One);
        using var receiver = Seal(Sha256Only, Two);
        var early = Enumerable.Range(1, 3).Select(_ => sender.Seal(Payload(8), Two)).ToArray(); // counters 1, 2, 3
        byte[] last = [];
        for (var c = 4; c <= 1026; c++) last = sender.Seal(Payload(8), Two);
        Assert.True(receiver.TryOpen(last, out _, out _)); // counter 1026
        Refused(receiver, early[0], SealFailure.BelowWindow);
        Refused(receiver, early[1], SealFailure.BelowWindow); // 1026 - 2 = 1024: just out
        Assert.True(receiver.TryOpen(early[2], out _, out var failure), failure.ToString()); // 1026 - 3 = 1023: just in
    }

    [Fact]
    public void A_unicast_is_refused_by_any_other_node_and_a_broadcast_is_opened_by_all()
    {
        using var sender = Seal(Aes256Sha256, One);
        using var two = Seal(Aes256Sha256, Two);
        using var three = Seal(Aes256Sha256, Three);
        var toThree = sender.Seal(Payload(64), Three);
        Refused(two, toThree, SealFailure.WrongDestination);
        Assert.True(three.TryOpen(toThree, out _, out _));
        var toAll = sender.Seal(Payload(64), DatagramSeal.Everyone);
        Assert.True(two.TryOpen(toAll, out _, out _));
        Assert.True(three.TryOpen(toAll, out _, out _));
    }

    [Fact]
    public void A_node_s_own_datagram_reflected_back_is_refused()
    {
        using var node = Seal(Aes256Sha256, One);
        Refused(node, node.Seal(Payload(64), DatagramSeal.Everyone), SealFailure.FromSelf);
    }

    [Fact]
    public void A_refused_datagram_never_moves_the_window()
    {
        using var sender = Seal(Sha256Only, One);
        using var receiver = Seal(Sha256Only, Two);
        var genuine = sender.Seal(Payload(16), Two); // counter 1
        // A forger's copy claiming a far newer epoch and counter: were it recorded, the genuine datagram would be refused.
        var forged = sender.Seal(Payload(16), Two);
        BinaryPrimitives.WriteUInt64BigEndian(forged.AsSpan(10), ulong.MaxValue);
        BinaryPrimitives.WriteUInt64BigEndian(forged.AsSpan(18), 1_000_000);
        Refused(receiver, forged, SealFailure.BadTag);
        Assert.True(receiver.TryOpen(genuine, out _, out var failure), failure.ToString());
    }

    [Fact]
    public void Opening_into_a_span_writes_exactly_the_datagram()
    {
        using var sender = Seal(Aes256Sha256, One);
        using var receiver = Seal(Aes256Sha256, Two);
        var wire = sender.Seal(Payload(1400), Two);
        var buffer = new byte[receiver.MaxOpenedLength(wire.Length)];
        Assert.True(receiver.TryOpen(wire, buffer, out var written, out _));
        Assert.Equal(Payload(1400), buffer.AsSpan(0, written).ToArray());
    }

    [Theory]
    [InlineData(127)]
    [InlineData(4097)]
    [InlineData(0)]
    public void An_authkey_outside_128_to_4096_bytes_is_refused(int length) =>
        Assert.Throws<ArgumentException>(() => new DatagramSeal(Aes256Sha256, new byte[length], "alpha", One, 1));

    [Fact]
    public void Crypto_none_and_a_cipher_without_a_hash_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new DatagramSeal(CryptoSettings.Off, Key(1), "alpha", One, 1));
        Assert.Throws<ArgumentException>(() => new DatagramSeal(new CryptoSettings(CryptoCipher.Aes128, CryptoHash.None), Key(1), "alpha", One, 1));
        using var smallest = new DatagramSeal(Aes256Sha256, Key(1, 128), "alpha", One, 1);
        using var largest = new DatagramSeal(Aes256Sha256, Key(1, 4096), "alpha", One, 1);
    }

    [Fact]
    public void Random_bytes_never_open_and_never_throw()
    {
        using var receiver = Seal(Aes256Sha256, Two);
        var random = new Random(3);
        for (var i = 0; i < 2_000; i++)
        {
            var garbage = new byte[random.Next(0, 300)];
            random.NextBytes(garbage);
            if (garbage.Length > 1 && i % 2 == 0) { garbage[0] = DatagramSeal.Version; garbage[1] = 0x13; }
            Assert.False(receiver.TryOpen(garbage, out _, out var failure));
            Assert.NotEqual(SealFailure.None, failure);
        }
    }
}
