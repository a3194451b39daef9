namespace Totem.Protocol.Links;

/// <summary>totem.link_mode: how knet spreads a host's traffic over its links (corosync.conf(5)).</summary>
public enum LinkMode
{
    /// <summary>One link at a time: the up link with the highest priority, ties to the lowest link number.</summary>
    Passive,

    /// <summary>Every up link carries every datagram; the receiver drops the copies.</summary>
    Active,

    /// <summary>Each datagram goes on the next up link in turn.</summary>
    RoundRobin,
}

public static class LinkModes
{
    /// <summary>The word corosync.conf uses for the mode.</summary>
    public static string Word(this LinkMode mode) => mode switch
    {
        LinkMode.Passive => "passive",
        LinkMode.Active => "active",
        LinkMode.RoundRobin => "rr",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Reads totem.link_mode as the validator accepted it (passive, active, rr).</summary>
    public static LinkMode Parse(string word) => word switch
    {
        "passive" => LinkMode.Passive,
        "active" => LinkMode.Active,
        "rr" => LinkMode.RoundRobin,
        _ => throw new ArgumentException($"link_mode '{word}' is not one of passive, active, rr", nameof(word)),
    };
}
