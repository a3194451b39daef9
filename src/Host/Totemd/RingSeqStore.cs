using Totem.Protocol.Wire;

namespace Totem.Host.Totemd;

/// <summary>
/// The ring sequence a node has seen, kept on disk as corosync keeps /var/lib/corosync/ringid_N, so
/// that after a restart of the whole cluster new rings get ids above every earlier one.
/// </summary>
public sealed class RingSeqStore(string directory, NodeId node)
{
    private readonly object _gate = new();
    private ulong _saved;

    public string Path { get; } = System.IO.Path.Combine(directory, $"ringid_{node.Value}");

    /// <summary>The kept seq, 0 when there is none; an unreadable file is an error naming it.</summary>
    public ulong Load()
    {
        var seq = StateFile.Read(Path, "a ring sequence number") ?? 0;
        lock (_gate) _saved = seq;
        return seq;
    }

    /// <summary>Writes a higher seq atomically (temp file + rename), so a crash never leaves a torn file.</summary>
    public void Save(ulong seq)
    {
        lock (_gate)
        {
            if (seq <= _saved) return;
            StateFile.Write(Path, seq);
            _saved = seq;
        }
    }
}
