using Totem.Protocol.Config.Syntax;

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
    /// <summary>
    /// Every value the file set, by cmap-style key (<see cref="ConfigKeyPaths"/>), after <c>${VAR}</c> substitution:
    /// what a reload compares. Empty for a config built in code.
    /// </summary>
    public IReadOnlyDictionary<string, ConfigValue> Values { get; init; } = new Dictionary<string, ConfigValue>();

    /// <summary>
    /// The ring size the token is sized by, the same on every node whatever its DNS lookup saw: the nodelist's length
    /// (corosync uses the nodelist, not the live membership), else quorum.expected_votes (DNS discovery has no
    /// nodelist; votequorum needs expected_votes there, so it is the configured size of the cluster); null when the
    /// config gives neither.
    /// </summary>
    public int? ConfiguredRingSize =>
        Nodelist.Count > 0 ? Nodelist.Count : Quorum.ExpectedVotes is { } votes and > 0 ? (int)votes : null;

    /// <summary>The runtime timeouts for the configured ring size.</summary>
    public TotemTimeouts Timeouts() => TotemTimeouts.Derive(Totem, ConfiguredRingSize ?? 0);

    /// <summary>
    /// The runtime timeouts; <paramref name="discovered"/> (the processors found at start) stands in only when the
    /// config gives no ring size, and then nodes that started at different moments may run different timings.
    /// </summary>
    public TotemTimeouts Timeouts(int discovered) => TotemTimeouts.Derive(Totem, ConfiguredRingSize ?? discovered);
}
