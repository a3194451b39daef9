using Totem.Protocol.Security;
using Totem.Protocol.Wire;
using Totem.Protocol.Wire.Codec;

namespace Totem.Protocol.Pg;

/// <summary>The sizes of the packing layer (corosync's totempg): how much a frame holds, how large a message may be.</summary>
public static class PgLimits
{
    /// <summary>The largest message a node multicasts, fragmented across frames: corosync's limit for a CPG message (1 MiB).</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    /// <summary>IPv4 and UDP headers, which the netmtu includes.</summary>
    public const int IpUdpHeaderBytes = 20 + 8;

    /// <summary>The smallest netmtu that leaves a frame room for a piece of data (corosync.conf allows far larger ones).</summary>
    public const int MinNetMtu = 576;

    /// <summary>
    /// The bytes a frame's pieces and their length entries may take so that a multicast, even encapsulated once by
    /// recovery and sealed under the heaviest crypto suite, fits one datagram of <paramref name="netMtu"/> bytes: no
    /// IP fragmentation (corosync's TOTEMPG_PACKET_SIZE after totemsrp_net_mtu_adjust).
    /// </summary>
    public static int FrameBudget(int netMtu)
    {
        if (netMtu < MinNetMtu)
            throw new ArgumentOutOfRangeException(nameof(netMtu), netMtu, $"netmtu must be at least {MinNetMtu} bytes");
        var budget = netMtu - IpUdpHeaderBytes - DatagramSeal.MaxOverheadBytes - TotemCodec.HeaderSize
            - McastMessageCodec.BodyOverhead - McastMessageCodec.EncapsulationOverhead;
        return Math.Min(budget, TotemCodec.MaxPayloadSize);
    }

    /// <summary>Bytes a packed piece costs besides its data (its length entry).</summary>
    public const int PieceOverhead = PgFrameCodec.PieceOverhead;
}
