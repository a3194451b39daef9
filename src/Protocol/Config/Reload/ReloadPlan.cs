namespace Totem.Protocol.Config.Reload;

/// <summary>What a reload of the config file comes to on one node.</summary>
public enum ReloadOutcome
{
    /// <summary>Only values the running node can change differ: they take effect now.</summary>
    Applied,

    /// <summary>The file says what the node already runs.</summary>
    Unchanged,

    /// <summary>The file changes a value that cannot change at run time: nothing changes.</summary>
    Refused,

    /// <summary>The file has a syntax or value error: nothing changes.</summary>
    Invalid,
}

/// <summary>One key whose value differs between the running config and the file (null: not set on that side).</summary>
public sealed record ConfigChange(string Key, string? Old, string? New, SourcePosition Position)
{
    public override string ToString() => $"{Key}: {Old ?? "(unset)"} -> {New ?? "(unset)"}";
}

/// <summary>A changed key that stops the reload, where it was written and why.</summary>
public sealed record ReloadRefusal(string Key, SourcePosition Position, string Message)
{
    public override string ToString() => $"{Position}: error: {Message}";
}

/// <summary>
/// The decision of <see cref="ConfigReload.Plan"/>: the outcome, every changed key, and for
/// <see cref="ReloadOutcome.Applied"/> the new config with the timeouts the ring runs from now on.
/// </summary>
public sealed record ReloadPlan(
    ReloadOutcome Outcome,
    IReadOnlyList<ConfigChange> Changes,
    IReadOnlyList<ReloadRefusal> Refusals,
    IReadOnlyList<ConfigDiagnostic> Errors,
    ClusterConfig? Config,
    TotemTimeouts? Timeouts)
{
    /// <summary>config_version of the file read (0 when it sets none or could not be read), which corosync compares across nodes.</summary>
    public ulong ConfigVersion => Config?.Totem.ConfigVersion ?? 0;

    /// <summary>The lines an admin reads: each error or refusal as <c>file:line:column: error: ...</c>.</summary>
    public IEnumerable<string> Problems => Errors.Select(e => e.ToString()).Concat(Refusals.Select(r => r.ToString()));
}
