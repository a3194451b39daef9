namespace Totem.Protocol.Config;

/// <summary>
/// One <c>interface { }</c> block of the totem section (corosync.conf(5)). This engine runs one
/// ring on link 0; other links are accepted so real configs load, and reported as unused.
/// </summary>
/// <param name="LinkNumber"><c>linknumber</c> (corosync 2's <c>ringnumber</c> is read too): 0..7, default 0.</param>
/// <param name="BindNetAddress"><c>bindnetaddr</c>: the address (or network) to bind to; the nodelist wins when both are set.</param>
/// <param name="McastAddress"><c>mcastaddr</c>: only meaningful for transport udp.</param>
/// <param name="McastPort"><c>mcastport</c>: the UDP port of this link; default 5405 + linknumber, as corosync.</param>
/// <param name="Line">Line of the block, for messages.</param>
public sealed record TotemInterface(uint LinkNumber, string? BindNetAddress, string? McastAddress, ushort McastPort, int Line)
{
    public const ushort DefaultPort = 5405;
}
