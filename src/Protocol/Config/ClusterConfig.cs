namespace Totem.Protocol.Config;

/// <summary>
/// A loaded, validated configuration: corosync's sections (totem, nodelist, quorum, logging) and
/// ours (discovery, fencing, control). <see cref="Positions"/> maps every key that was set, by its
/// cmap-style path ("totem.token", "nodelist.node.2.nodeid"), to where it was written.
/// </summary>
public sealed record ClusterConfig(
    string FileName,
    TotemSettings Totem,
    IReadOnlyList<NodeEntry> Nodelist,
    QuorumSettings Quorum,
    LoggingSettings Logging,
    DiscoverySettings Discovery,
    FencingSettings Fencing,
    ControlSettings Control,
    IReadOnlyDictionary<string, SourcePosition> Positions)
{
    /// <summary>The runtime timeouts for a ring of the nodelist's size (corosync uses the nodelist, not the live membership).</summary>
    public TotemTimeouts Timeouts() => TotemTimeouts.Derive(Totem, Nodelist.Count);

    /// <summary>The runtime timeouts for a ring of <paramref name="nodeCount"/> nodes (discovery mode: no static nodelist).</summary>
    public TotemTimeouts Timeouts(int nodeCount) => TotemTimeouts.Derive(Totem, nodeCount);
}
