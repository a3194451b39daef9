using Totem.Protocol.Config.Syntax;

namespace Totem.Protocol.Config.Reload;

/// <summary>
/// corosync's config reload (exec/cfg.c, message_handler_req_exec_cfg_reload_config) as a pure decision: the file
/// read again is compared key by key with the running config; the timing values (totem_volatile_config_read's keys)
/// and the ring size are taken at run time, and the ring's timeouts derived again from them exactly as at start.
/// <para>
/// Stricter than corosync on purpose: corosync drops a changed read-only key with a notice ("Modified entry ...
/// cannot be changed at run-time") and applies the rest, so its running config silently differs from the file; here
/// any such key refuses the whole reload, named with its file:line, and nothing changes. Keys corosync changes at run
/// time but this node cannot yet (the nodelist, logging, fencing, ...) are refused the same way, saying so.
/// </para>
/// </summary>
public static class ConfigReload
{
    /// <summary>What totem_volatile_config_read re-reads (plus config_version, which only versions the file).</summary>
    private static readonly HashSet<string> Timing = new(StringComparer.Ordinal)
    {
        "totem.token", "totem.token_coefficient", "totem.token_retransmit", "totem.hold",
        "totem.token_retransmits_before_loss_const", "totem.token_warning", "totem.join", "totem.send_join",
        "totem.consensus", "totem.merge", "totem.downcheck", "totem.fail_recv_const", "totem.seqno_unchanged_const",
        "totem.miss_count_const", "totem.max_messages", "totem.window_size", "totem.max_network_delay",
        "totem.config_version",
    };

    /// <summary>
    /// Without a nodelist it is the ring size the token is sized by (<see cref="ClusterConfig.ConfiguredRingSize"/>):
    /// what a nodelist change is to corosync's reload.
    /// </summary>
    public const string ExpectedVotes = "quorum.expected_votes";

    /// <summary>cfg.c's remove_ro_entries and main.c's read-only keys: corosync never changes these at run time.</summary>
    private static readonly HashSet<string> ReadOnly = new(StringComparer.Ordinal)
    {
        "totem.secauth", "totem.crypto_hash", "totem.crypto_cipher", "totem.crypto_model", "totem.keyfile", "totem.key",
        "totem.version", "totem.threads", "totem.ip_version", "totem.ip_dscp", "totem.netmtu", "totem.transport",
        "totem.cluster_name", "totem.nodeid", "totem.clear_node_high_bit", "quorum.provider",
    };

    /// <summary>The link keys remove_ro_entries keeps (totem.interface.N.KEY).</summary>
    private static readonly HashSet<string> ReadOnlyInterfaceKeys = new(StringComparer.Ordinal)
    {
        "bindnetaddr", "mcastaddr", "broadcast", "mcastport", "ttl",
    };

    /// <param name="running">The config the node runs (what it started with, or the last reload applied).</param>
    /// <param name="read">The file just read and validated.</param>
    /// <param name="ringSizeNow">The ring size the running timeouts were derived for: it stays when the new file gives none either.</param>
    public static ReloadPlan Plan(ClusterConfig running, ConfigLoadResult read, int ringSizeNow)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(read);
        if (!read.IsValid || read.Config is not { } next)
            return new ReloadPlan(ReloadOutcome.Invalid, [], [], read.Errors.ToList(), null, null);

        var changes = Diff(running.Values, next.Values, next.FileName);
        var refusals = changes.Select(Refusal).OfType<ReloadRefusal>().ToList();
        if (refusals.Count > 0)
            return new ReloadPlan(ReloadOutcome.Refused, changes, refusals, [], null, null);
        var timeouts = next.Timeouts(ringSizeNow);
        return new ReloadPlan(changes.Count == 0 ? ReloadOutcome.Unchanged : ReloadOutcome.Applied, changes, [], [], next, timeouts);
    }

    /// <summary>Every key set on one side only or to another value on the other, in key order; positions in the new file where it has the key.</summary>
    public static IReadOnlyList<ConfigChange> Diff(IReadOnlyDictionary<string, ConfigValue> running, IReadOnlyDictionary<string, ConfigValue> next, string nextFile)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(next);
        var changes = new List<ConfigChange>();
        foreach (var key in running.Keys.Union(next.Keys).Order(StringComparer.Ordinal))
        {
            running.TryGetValue(key, out var old);
            next.TryGetValue(key, out var now);
            if (old?.Value == now?.Value) continue;
            changes.Add(new ConfigChange(key, old?.Value, now?.Value, now?.Position ?? SourcePosition.WholeFile(nextFile)));
        }
        return changes;
    }

    private static ReloadRefusal? Refusal(ConfigChange change)
    {
        var key = change.Key;
        if (Timing.Contains(key) || key == ExpectedVotes) return null;
        if (ReadOnly.Contains(key) || IsReadOnlyInterfaceKey(key))
            return new ReloadRefusal(key, change.Position, $"Modified entry '{key}' in corosync.conf cannot be changed at run-time ({Shown(change)}); the reload changed nothing");
        return new ReloadRefusal(key, change.Position,
            $"Modified entry '{key}' cannot be changed at run-time by totemd ({Shown(change)}; only the totem timing keys and quorum.expected_votes can); the reload changed nothing, restart the node to use it");
    }

    private static bool IsReadOnlyInterfaceKey(string key)
    {
        const string prefix = "totem.interface.";
        if (!key.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var rest = key[prefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && ReadOnlyInterfaceKeys.Contains(rest[(dot + 1)..]);
    }

    private static string Shown(ConfigChange change) => $"{change.Old ?? "unset"} -> {change.New ?? "unset"}";
}
