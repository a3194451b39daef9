using Totem.Protocol.Store;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd;

/// <summary>
/// The replicated store's copy in the node's state directory (store_N.snapshot, <see cref="StoreStateCodec"/>'s one
/// encoding): loaded at start, replaced after every applied write or sync that changed it. Written to a temp file,
/// flushed to disk, then renamed over the old one, so a crash leaves the old copy or the new one, never a torn file.
/// </summary>
public sealed class StoreSnapshotFile(string directory, NodeId node)
{
    public string Path { get; } = System.IO.Path.Combine(directory, $"store_{node.Value}.snapshot");

    /// <summary>The kept state, null when there is none yet; a corrupt file is an error naming it and what is wrong (the node refuses to start).</summary>
    public StoreState? Load()
    {
        if (!File.Exists(Path)) return null;
        var bytes = File.ReadAllBytes(Path);
        try
        {
            return StoreStateCodec.Decode(bytes);
        }
        catch (FormatException error)
        {
            throw new InvalidDataException($"{Path}: the replicated store's snapshot is corrupt: {error.Message}; move it away to start with an empty store that catches up from the cluster", error);
        }
    }

    public void Save(StoreState state)
    {
        Directory.CreateDirectory(directory);
        var temp = Path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(StoreStateCodec.Encode(state));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, Path, overwrite: true);
    }
}
