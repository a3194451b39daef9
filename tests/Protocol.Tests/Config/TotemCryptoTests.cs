using Totem.Protocol.Config;
using Totem.Protocol.Security;
using static Totem.Protocol.Tests.Config.ConfigTestSupport;

namespace Totem.Protocol.Tests.Config;

/// <summary>totem_get_crypto's decision (exec/totemconfig.c) from secauth, crypto_cipher and crypto_hash, and its refusals.</summary>
public class TotemCryptoTests
{
    private static TotemSettings Totem(bool? secauth, string? cipher, string? hash) =>
        new() { SecAuth = secauth, CryptoCipher = cipher, CryptoHash = hash };

    // secauth absent / off / on, crossed with crypto_cipher and crypto_hash absent or given: the unencrypted
    // build's table (this engine's). "-" is "not in the file".
    [Theory]
    [InlineData(null, "-", "-", "none", "none")]
    [InlineData(false, "-", "-", "none", "none")]
    [InlineData(true, "-", "-", "aes256", "sha256")]
    [InlineData(null, "-", "sha1", "none", "sha1")]
    [InlineData(false, "-", "sha512", "none", "sha512")]
    [InlineData(null, "aes128", "md5", "aes128", "md5")]
    [InlineData(false, "aes192", "sha384", "aes192", "sha384")]
    [InlineData(true, "aes128", "-", "aes128", "sha256")]
    [InlineData(true, "-", "sha512", "aes256", "sha512")]
    [InlineData(true, "none", "-", "none", "sha256")]
    [InlineData(true, "none", "none", "none", "none")]
    [InlineData(true, "aes192", "sha1", "aes192", "sha1")]
    [InlineData(null, "none", "none", "none", "none")]
    [InlineData(false, "none", "sha256", "none", "sha256")]
    public void Secauth_sets_both_and_explicit_cipher_and_hash_win_each_on_its_own(bool? secauth, string cipher, string hash, string wantCipher, string wantHash)
    {
        var crypto = TotemCrypto.Decide(Totem(secauth, cipher == "-" ? null : cipher, hash == "-" ? null : hash), out var error);
        Assert.Null(error);
        Assert.NotNull(crypto);
        Assert.Equal((wantCipher, wantHash), (TotemCrypto.Name(crypto.Cipher), TotemCrypto.Name(crypto.Hash)));
        Assert.Equal(wantHash != "none", crypto.Authenticates);
        Assert.Equal(wantCipher != "none", crypto.Encrypts);
    }

    [Fact]
    public void Nothing_set_is_the_shared_off_value() =>
        Assert.Same(CryptoSettings.Off, TotemCrypto.Decide(TotemSettings.Default, out _));

    [Theory]
    [InlineData(null, "aes256", null)]
    [InlineData(false, "aes128", null)]
    [InlineData(null, "aes192", "none")]
    [InlineData(true, null, "none")]
    [InlineData(true, "aes256", "none")]
    public void A_cipher_without_a_hash_is_refused_with_corosyncs_words(bool? secauth, string? cipher, string? hash)
    {
        Assert.Null(TotemCrypto.Decide(Totem(secauth, cipher, hash), out var error));
        Assert.Equal("crypto_cipher requires crypto_hash with value other than none", error);
    }

    [Theory]
    [InlineData(null, null, null, "aes256", "sha256")]
    [InlineData(null, "aes128", "sha1", "aes128", "sha1")]
    public void The_enforcing_build_defaults_to_aes256_sha256(bool? secauth, string? cipher, string? hash, string wantCipher, string wantHash)
    {
        var crypto = TotemCrypto.Decide(Totem(secauth, cipher, hash), out var error, unencryptedBuild: false);
        Assert.Null(error);
        Assert.Equal((wantCipher, wantHash), (TotemCrypto.Name(crypto!.Cipher), TotemCrypto.Name(crypto.Hash)));
    }

    [Theory]
    [InlineData(false, null, null)]
    [InlineData(null, "none", null)]
    [InlineData(null, null, "none")]
    [InlineData(true, "aes256", "none")]
    public void The_enforcing_build_refuses_any_none(bool? secauth, string? cipher, string? hash)
    {
        Assert.Null(TotemCrypto.Decide(Totem(secauth, cipher, hash), out var error, unencryptedBuild: false));
        Assert.Equal("corosync is compiled to require enabled encryption", error);
    }

    private static string Knet(string totemExtra) =>
        $"totem {{\n  version: 2\n  transport: knet\n{totemExtra}}}\nnodelist {{\n  node {{\n    nodeid: 1\n    ring0_addr: 10.0.0.1\n  }}\n}}\n";

    [Fact]
    public void The_validator_refuses_a_cipher_without_a_hash_at_the_hash_line()
    {
        var result = Load(Knet("  crypto_cipher: aes256\n  crypto_hash: none\n"));
        Assert.Equal("test.conf:5:3: error: crypto_cipher requires crypto_hash with value other than none", Assert.Single(result.Errors).ToString());
    }

    [Theory]
    [InlineData("  secauth: on\n")]
    [InlineData("  crypto_cipher: aes128\n  crypto_hash: sha1\n")]
    [InlineData("  crypto_hash: sha256\n")]
    public void The_validator_accepts_crypto_on_knet(string extra)
    {
        var result = Load(Knet(extra));
        Assert.True(result.IsValid, Errors(result));
    }

    [Theory]
    [InlineData("  secauth: off\n")]
    [InlineData("  secauth: on\n  crypto_cipher: none\n  crypto_hash: none\n")]
    [InlineData("")]
    public void The_validator_accepts_udpu_when_crypto_is_off_in_the_end(string extra)
    {
        var result = Load(Minimal(extra));
        Assert.True(result.IsValid, Errors(result));
    }

    [Fact]
    public void A_hash_alone_is_crypto_too_and_refused_outside_knet()
    {
        var result = Load(Minimal("  crypto_hash: sha1\n"));
        Assert.Equal("test.conf:4:3: error: crypto_cipher & crypto_hash are only valid for the Knet transport.", Assert.Single(result.Errors).ToString());
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("true")]
    [InlineData("On")]
    public void Secauth_other_than_the_word_on_means_off_as_in_corosync_with_a_warning(string value)
    {
        var result = Load(Knet($"  secauth: {value}\n"));
        Assert.True(result.IsValid, Errors(result));
        Assert.False(result.Config!.Totem.SecAuth);
        Assert.Same(CryptoSettings.Off, TotemCrypto.Decide(result.Config.Totem, out _));
        Assert.Contains(result.Diagnostics, d => !d.IsError && d.Position.Line == 4
            && d.Message.Contains($"secauth is \"{value}\": corosync turns crypto on only for the word 'on'", StringComparison.Ordinal));
    }

    [Fact]
    public void Keyfile_and_key_are_read_not_ignored()
    {
        var result = Load(Knet("  secauth: on\n  keyfile: /etc/totem/authkey\n  key: inline\n"));
        Assert.True(result.IsValid, Errors(result));
        Assert.Equal(("/etc/totem/authkey", "inline"), (result.Config!.Totem.KeyFile, result.Config.Totem.Key));
        Assert.DoesNotContain(result.Diagnostics, d => d.Message.Contains("keyfile", StringComparison.Ordinal));
    }
}
