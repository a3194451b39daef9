using Totem.Protocol.Security;
using Totem.Protocol.Wire;

namespace Totem.Host.Totemd;

/// <summary>
/// The seal's boot epoch of the node's last life, kept beside its ring seq (bootepoch_N in the state directory): a
/// life's epoch is max(now, last + 1) (<see cref="DatagramCrypto.NextEpoch"/>), so a wall clock stepped back across a
/// restart does not make the peers refuse the node's fresh datagrams as an older epoch until the clock catches up.
/// </summary>
public sealed class BootEpochStore(string directory, NodeId node)
{
    public string Path { get; } = System.IO.Path.Combine(directory, $"bootepoch_{node.Value}");

    /// <summary>This life's epoch, written before the node sends anything with it; an unreadable file is an error naming it.</summary>
    public ulong Next(TimeProvider clock)
    {
        var epoch = DatagramCrypto.NextEpoch(DatagramCrypto.EpochNow(clock), StateFile.Read(Path, "a boot epoch"));
        StateFile.Write(Path, epoch);
        return epoch;
    }
}
