using System.Security.Cryptography;
using Totem.Protocol.Security;

namespace Totem.Protocol.Tests.Security;

public sealed class KeptCbcTests
{
    private static readonly int[] Lengths = [0, 1, 15, 16, 17, 31, 64, 100, 1024, 1400, 1500, 3000, 5, 64];

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void Every_call_is_a_fresh_CBC_under_its_own_IV_as_the_one_shot_API_makes_it(int keyBytes)
    {
        var random = new Random(keyBytes);
        var key = new byte[keyBytes];
        random.NextBytes(key);
        using var reference = Aes.Create();
        reference.Key = key;
        using var encryptor = KeptCbc.Encryptor(key);
        using var decryptor = KeptCbc.Decryptor(key);
        // Many datagrams through the same contexts: a chaining block out of step would show from the second one on.
        for (var round = 0; round < 3; round++)
        foreach (var length in Lengths)
        {
            var plain = new byte[length];
            var iv = new byte[16];
            random.NextBytes(plain);
            random.NextBytes(iv);
            var expected = reference.EncryptCbc(plain, iv, PaddingMode.PKCS7);
            var wire = new byte[KeptCbc.CipherLength(length)];
            Assert.Equal(expected.Length, encryptor.Encrypt(plain, iv, wire));
            Assert.Equal(expected, wire);

            var opened = new byte[wire.Length];
            Assert.True(decryptor.TryDecrypt(expected, iv, opened, out var written), $"{length} B, round {round}");
            Assert.Equal(plain, opened.AsSpan(0, written).ToArray());
        }
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x11)]
    [InlineData(0xFF)]
    public void A_last_byte_that_is_no_PKCS7_padding_is_refused_and_the_next_datagram_still_opens(byte last)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(16);
        using var reference = Aes.Create();
        reference.Key = key;
        using var decryptor = KeptCbc.Decryptor(key);
        var block = new byte[32];
        block[^1] = last;
        var opened = new byte[48];
        Assert.False(decryptor.TryDecrypt(reference.EncryptCbc(block, iv, PaddingMode.None), iv, opened, out var written));
        Assert.Equal(0, written);

        block[^1] = 3;
        block[^2] = 3;
        block[^3] = 2; // two of the three padding bytes right: still refused
        Assert.False(decryptor.TryDecrypt(reference.EncryptCbc(block, iv, PaddingMode.None), iv, opened, out _));

        var plain = RandomNumberGenerator.GetBytes(40);
        Assert.True(decryptor.TryDecrypt(reference.EncryptCbc(plain, iv, PaddingMode.PKCS7), iv, opened, out written));
        Assert.Equal(plain, opened.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void Wrong_shapes_are_argument_errors_not_silent_truncation()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var encryptor = KeptCbc.Encryptor(key);
        using var decryptor = KeptCbc.Decryptor(key);
        var iv = new byte[16];
        Assert.Throws<ArgumentException>(() => encryptor.Encrypt(new byte[16], iv, new byte[16])); // 16 B need 32 with the padding block
        Assert.Throws<ArgumentException>(() => encryptor.Encrypt(new byte[1], new byte[8], new byte[16]));
        Assert.Throws<ArgumentException>(() => decryptor.TryDecrypt(new byte[17], iv, new byte[32], out _));
        Assert.Throws<ArgumentException>(() => decryptor.TryDecrypt(new byte[32], iv, new byte[16], out _));
        Assert.Throws<InvalidOperationException>(() => decryptor.Encrypt(new byte[1], iv, new byte[16]));
    }
}
