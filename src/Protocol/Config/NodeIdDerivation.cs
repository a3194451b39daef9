using System.Globalization;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Config;

/// <summary>corosync's generate_nodeid (exec/totemconfig.c): a node without a nodeid gets its IPv4 address as a big-endian number.</summary>
public static class NodeIdDerivation
{
    /// <summary>The nodeid for a dotted-quad IPv4 address (10.0.1.62 -> 0x0A00013E), or null when the text is not one (IPv6, a host name).</summary>
    public static NodeId? FromIPv4Address(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var parts = address.Split('.');
        if (parts.Length != 4) return null;
        uint value = 0;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var octet))
                return null;
            value = (value << 8) | octet;
        }
        return new NodeId(value);
    }
}
