using Totem.Host.Totemd;
using Totem.Protocol.Store;
using Totem.Protocol.Wire;

namespace Totem.Host.Tests.Totemd;

public sealed class StoreSnapshotFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("totem-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void No_file_is_no_state_and_a_saved_state_loads_back_the_same()
    {
        var file = new StoreSnapshotFile(_dir, new NodeId(3));
        Assert.Null(file.Load());
        var state = StoreState.Empty.Apply(StoreOp.Put, StorePath.Parse("/cluster/name"), null, "lab"u8.ToArray().ToValueList(), new RingId(new NodeId(1), 9)).Next!;
        file.Save(state);
        Assert.Equal(Path.Combine(_dir, "store_3.snapshot"), file.Path);
        Assert.False(File.Exists(file.Path + ".tmp"));
        var loaded = file.Load()!;
        Assert.Equal(state.Digest.ToArray(), loaded.Digest.ToArray());
        Assert.Equal(state.Epoch, loaded.Epoch);
    }

    [Fact]
    public void A_corrupt_file_refuses_the_start_naming_the_file_and_the_fault()
    {
        var file = new StoreSnapshotFile(_dir, new NodeId(1));
        File.WriteAllBytes(file.Path, "TSSX garbage"u8.ToArray());
        var error = Assert.Throws<InvalidDataException>(() => file.Load());
        Assert.StartsWith(file.Path + ": the replicated store's snapshot is corrupt: store state", error.Message);
        Assert.Contains("move it away", error.Message);
    }
}
