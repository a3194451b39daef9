using System.Net;

namespace Totem.Host.Dashboard;

/// <summary>
/// What the dashboard watches and where it serves the page: the nodes' control API endpoints (a list, or a DNS
/// name re-resolved every <see cref="DiscoveryInterval"/>, as the nodes find each other), the port their observer
/// plane listens on, and the page's address.
/// </summary>
public sealed record DashboardOptions(IReadOnlyList<NodeTarget> Nodes, string? DnsName, int ControlPort, int ObserverPort, IPEndPoint Listen)
{
    public TimeSpan DiscoveryInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long to wait before trying a node that could not be reached again.</summary>
    public TimeSpan RetryEvery { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>A node's control API, HOST:PORT as given (an IP address or a name resolved when it is reached).</summary>
public sealed record NodeTarget(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>"HOST:PORT", "[IPv6]:PORT" or "HOST" (<paramref name="defaultPort"/>); null with <paramref name="error"/> saying what is wrong.</summary>
    public static NodeTarget? Parse(string text, int defaultPort, out string? error)
    {
        error = null;
        var t = text.Trim();
        if (t.Length == 0)
        {
            error = "an empty node address (HOST:PORT expected)";
            return null;
        }
        if (IPAddress.TryParse(t, out var bare) && !t.StartsWith('[')) return new NodeTarget(bare.ToString(), defaultPort);
        if (IPEndPoint.TryParse(t, out var endpoint) && t.Contains(':', StringComparison.Ordinal))
        {
            if (endpoint.Port == 0) error = $"'{text}': the port must be from 1 to 65535";
            return error is null ? new NodeTarget(endpoint.Address.ToString(), endpoint.Port) : null;
        }
        var colon = t.LastIndexOf(':');
        var host = colon < 0 ? t : t[..colon];
        var port = defaultPort;
        if (colon >= 0 && (!int.TryParse(t[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"'{text}': the port after ':' must be from 1 to 65535";
            return null;
        }
        if (Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            error = $"'{text}': '{host}' is neither an IP address nor a host name";
            return null;
        }
        return new NodeTarget(host, port);
    }
}
