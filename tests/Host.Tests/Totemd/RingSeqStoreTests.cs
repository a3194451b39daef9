using Totem.Host.Totemd;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Totemd;

public sealed class RingSeqStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ringseq-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_saved_seq_is_loaded_by_the_next_life_and_never_goes_down()
    {
        var first = new RingSeqStore(_dir, new NodeId(3));
        Assert.Equal(0ul, first.Load());
        first.Save(0x2c);
        first.Save(0x10);
        Assert.Equal("44", File.ReadAllText(Path.Combine(_dir, "ringid_3")));

        var restarted = new RingSeqStore(_dir, new NodeId(3));
        Assert.Equal(0x2cul, restarted.Load());
    }

    [Fact]
    public void A_corrupt_file_is_an_error_naming_it()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "ringid_1"), "not a number");
        var error = Assert.Throws<InvalidDataException>(() => new RingSeqStore(_dir, new NodeId(1)).Load());
        Assert.Contains("ringid_1", error.Message);
        Assert.Contains("'not a number'", error.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
