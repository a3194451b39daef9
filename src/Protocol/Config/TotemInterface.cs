namespace Totem.Protocol.Config;

/// <summary>
/// One <c>interface { }</c> block of the totem section (corosync.conf(5)): one knet link's port and heartbeat
/// tuning. The knet values are null where the file leaves them to corosync's derivation
/// (<see cref="Links.LinkSettings.Derive"/>).
/// </summary>
/// <param name="LinkNumber"><c>linknumber</c> (corosync 2's <c>ringnumber</c> is read too): 0..7, default 0.</param>
/// <param name="BindNetAddress"><c>bindnetaddr</c>: the address (or network) to bind to; the nodelist wins when both are set.</param>
/// <param name="McastAddress"><c>mcastaddr</c>: only meaningful for transport udp.</param>
/// <param name="McastPort"><c>mcastport</c>: the UDP port of this link; default 5405 + linknumber, as corosync.</param>
/// <param name="Line">Line of the block, for messages.</param>
public sealed record TotemInterface(uint LinkNumber, string? BindNetAddress, string? McastAddress, ushort McastPort, int Line)
{
    public const ushort DefaultPort = 5405;

    /// <summary><c>knet_link_priority</c>: 0..255, the higher the preferred in passive mode; default 1.</summary>
    public byte? KnetLinkPriority { get; init; }

    /// <summary><c>knet_ping_interval</c> (ms): default effective token / (knet_pong_count x 2).</summary>
    public uint? KnetPingInterval { get; init; }

    /// <summary><c>knet_ping_timeout</c> (ms): default effective token / knet_pong_count.</summary>
    public uint? KnetPingTimeout { get; init; }

    /// <summary><c>knet_pong_count</c>: pongs before a link counts as up again; default 2.</summary>
    public uint? KnetPongCount { get; init; }
}
