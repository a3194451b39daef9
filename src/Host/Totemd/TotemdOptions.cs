using System.Net;

namespace Totem.Host.Totemd;

/// <summary>totemd's command line after parsing: the config and the few per-node overrides.</summary>
public sealed record TotemdOptions(string ConfigPath, uint? NodeId, IPAddress? Bind, IPEndPoint? Control, bool CheckOnly)
{
    /// <summary>Where the node keeps its ring sequence across restarts (corosync's /var/lib/corosync/ringid_N); null: not kept.</summary>
    public string? StateDir { get; init; }

    /// <summary>The client socket's path (--client-socket), "off" for none; null: totemd.client.socket decides.</summary>
    public string? ClientSocket { get; init; }

    /// <summary>totemd's HOCON file (--akka-config) over its embedded reference.conf; null: the defaults only.</summary>
    public string? AkkaConfigPath { get; init; }

    /// <summary>--observer: the observer plane on, whatever totemd.observer.enabled says.</summary>
    public bool Observer { get; init; }

    /// <summary>--observer-port; null: totemd.observer.port.</summary>
    public int? ObserverPort { get; init; }
}
