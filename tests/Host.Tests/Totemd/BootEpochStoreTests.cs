using Totem.Host.Totemd;
using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Totemd;

public sealed class BootEpochStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bootepoch-" + Guid.NewGuid().ToString("N"));

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Each_life_gets_an_epoch_above_the_last_even_when_the_clock_was_stepped_back_across_the_restart()
    {
        var clock = new Clock(new DateTimeOffset(2026, 12, 1, 22, 0, 0, TimeSpan.Zero));
        var first = new BootEpochStore(_dir, new NodeId(2)).Next(clock);
        Assert.Equal(DatagramCrypto.EpochNow(clock), first);
        Assert.Equal(first.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(_dir, "bootepoch_2")));

        clock.Now -= TimeSpan.FromHours(1);
        var stepped = new BootEpochStore(_dir, new NodeId(2)).Next(clock);
        Assert.Equal(first + 1, stepped);

        clock.Now += TimeSpan.FromHours(2);
        Assert.Equal(DatagramCrypto.EpochNow(clock), new BootEpochStore(_dir, new NodeId(2)).Next(clock));
    }

    [Fact]
    public void A_peer_accepts_the_datagrams_of_a_life_whose_clock_went_back_when_its_epoch_came_from_the_store()
    {
        var key = new byte[256];
        new Random(3).NextBytes(key);
        var settings = new CryptoSettings(CryptoCipher.Aes256, CryptoHash.Sha256);
        var clock = new Clock(new DateTimeOffset(2026, 12, 1, 22, 0, 0, TimeSpan.Zero));
        using var peer = new DatagramSeal(settings, key, "c", new NodeId(1), 1);
        using (var firstLife = new DatagramSeal(settings, key, "c", new NodeId(2), new BootEpochStore(_dir, new NodeId(2)).Next(clock)))
            Assert.True(peer.TryOpen(firstLife.Seal("first life"u8, DatagramSeal.Everyone), out _, out _));

        clock.Now -= TimeSpan.FromMinutes(10);
        using var unstored = new DatagramSeal(settings, key, "c", new NodeId(2), DatagramCrypto.EpochNow(clock));
        Assert.False(peer.TryOpen(unstored.Seal("clock only"u8, DatagramSeal.Everyone), out _, out var failure));
        Assert.Equal(SealFailure.OlderEpoch, failure);
        using var stored = new DatagramSeal(settings, key, "c", new NodeId(2), new BootEpochStore(_dir, new NodeId(2)).Next(clock));
        Assert.True(peer.TryOpen(stored.Seal("second life"u8, DatagramSeal.Everyone), out _, out failure), failure.ToString());
    }

    [Fact]
    public void A_corrupt_file_is_an_error_naming_it()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "bootepoch_1"), "soon");
        var error = Assert.Throws<InvalidDataException>(() => new BootEpochStore(_dir, new NodeId(1)).Next(TimeProvider.System));
        Assert.Contains("bootepoch_1", error.Message);
        Assert.Contains("'soon'", error.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
