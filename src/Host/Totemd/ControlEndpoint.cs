using System.Globalization;
using System.Net;
using Totem.Host.Control;

namespace Totem.Host.Totemd;

/// <summary>Parses where the control API listens: "ADDRESS:PORT", "[IPv6]:PORT" or "ADDRESS" (port 7405).</summary>
public static class ControlEndpoint
{
    public static IPEndPoint? Parse(string text, out string? error)
    {
        error = null;
        var t = text.Trim();
        if (IPAddress.TryParse(t, out var bare) && !t.StartsWith('['))
            return new IPEndPoint(bare, ControlDefaults.Port);
        if (IPEndPoint.TryParse(t, out var endpoint) && t.Contains(':', StringComparison.Ordinal))
        {
            var hasPort = t.StartsWith('[') ? t.Contains("]:", StringComparison.Ordinal) : true;
            return hasPort ? endpoint : new IPEndPoint(endpoint.Address, ControlDefaults.Port);
        }
        error = string.Create(CultureInfo.InvariantCulture,
            $"'{text}' is not an address to listen on: use ADDRESS:PORT with an IP address, e.g. 127.0.0.1:{ControlDefaults.Port} or [::1]:{ControlDefaults.Port}");
        return null;
    }
}
