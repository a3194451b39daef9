namespace Totem.Protocol.Config;

/// <summary>
/// The cmap keys corosync publishes for a config, named exactly as corosync does, so scripts that
/// grep <c>corosync-cmapctl</c> output work on ours. Ordered by key name, as corosync-cmapctl lists them.
/// </summary>
public static class RuntimeConfigKeys
{
    /// <summary>
    /// <c>runtime.config.totem.*</c>: the values the ring runs with, which totem_volatile_config_read
    /// stores after derivation (token is the effective token; token_coefficient has no runtime key).
    /// </summary>
    public static IReadOnlyList<CmapEntry> From(TotemTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        const string p = "runtime.config.totem.";
        return Sorted(
        [
            CmapEntry.U32(p + "consensus", timeouts.Consensus),
            CmapEntry.U32(p + "downcheck", timeouts.Downcheck),
            CmapEntry.U32(p + "fail_recv_const", timeouts.FailReceiveConst),
            CmapEntry.U32(p + "hold", timeouts.Hold),
            CmapEntry.U32(p + "join", timeouts.Join),
            CmapEntry.U32(p + "max_messages", timeouts.MaxMessages),
            CmapEntry.U32(p + "max_network_delay", timeouts.MaxNetworkDelay),
            CmapEntry.U32(p + "merge", timeouts.Merge),
            CmapEntry.U32(p + "miss_count_const", timeouts.MissCountConst),
            CmapEntry.U32(p + "send_join", timeouts.SendJoin),
            CmapEntry.U32(p + "seqno_unchanged_const", timeouts.SeqnoUnchangedConst),
            CmapEntry.U32(p + "token", timeouts.Token),
            CmapEntry.U32(p + "token_retransmit", timeouts.TokenRetransmit),
            CmapEntry.U32(p + "token_retransmits_before_loss_const", timeouts.TokenRetransmitsBeforeLossConst),
            CmapEntry.U32(p + "token_warning", timeouts.TokenWarningPercent),
            CmapEntry.U32(p + "window_size", timeouts.WindowSize),
        ]);
    }

    /// <summary>
    /// The configuration keys as coroparse stores them (<c>totem.token</c>, <c>nodelist.node.0.ring0_addr</c>,
    /// <c>quorum.two_node</c>...): only what the file set, typed as corosync types them, plus the runtime keys.
    /// </summary>
    public static IReadOnlyList<CmapEntry> From(ClusterConfig config, TotemTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(config);
        var entries = new List<CmapEntry>(From(timeouts));
        var t = config.Totem;
        void U32(string key, uint? value) { if (value is { } v) entries.Add(CmapEntry.U32(key, v)); }
        void Str(string key, string? value, bool written = true) { if (value is not null && written) entries.Add(CmapEntry.Str(key, value)); }
        bool Set(string key) => config.Positions.ContainsKey(key);

        U32("totem.version", t.Version);
        Str("totem.cluster_name", t.ClusterName);
        if (t.ConfigVersion is { } cv) entries.Add(CmapEntry.U64("totem.config_version", cv));
        Str("totem.ip_version", t.IpVersion);
        if (t.SecAuth is { } sa) entries.Add(CmapEntry.Str("totem.secauth", sa ? "on" : "off"));
        Str("totem.link_mode", t.LinkMode, Set("totem.link_mode"));
        Str("totem.transport", t.Transport, Set("totem.transport"));
        Str("totem.crypto_cipher", t.CryptoCipher);
        Str("totem.crypto_hash", t.CryptoHash);
        Str("totem.crypto_model", t.CryptoModel);
        // Where the key is read from, as corosync's cmap shows it; totem.key (the key itself, written inline) never is.
        Str("totem.keyfile", t.KeyFile);
        U32("totem.token", t.Token);
        U32("totem.token_coefficient", t.TokenCoefficient);
        U32("totem.token_retransmit", t.TokenRetransmit);
        U32("totem.hold", t.Hold);
        U32("totem.token_retransmits_before_loss_const", t.TokenRetransmitsBeforeLossConst);
        U32("totem.join", t.Join);
        U32("totem.send_join", t.SendJoin);
        U32("totem.consensus", t.Consensus);
        U32("totem.merge", t.Merge);
        U32("totem.downcheck", t.Downcheck);
        U32("totem.fail_recv_const", t.FailRecvConst);
        U32("totem.seqno_unchanged_const", t.SeqnoUnchangedConst);
        U32("totem.miss_count_const", t.MissCountConst);
        U32("totem.max_messages", t.MaxMessages);
        U32("totem.window_size", t.WindowSize);
        U32("totem.token_warning", t.TokenWarning);
        U32("totem.max_network_delay", t.MaxNetworkDelay);
        Str("totem.block_unlisted_ips", t.BlockUnlistedIps ? "yes" : "no", Set("totem.block_unlisted_ips"));
        // totem_volatile_config_set_boolean_value publishes the value in force, set or defaulted, as a u32.
        entries.Add(CmapEntry.U32("runtime.config.totem.block_unlisted_ips", t.BlockUnlistedIps ? 1u : 0u));
        foreach (var i in t.Interfaces)
        {
            var p = $"totem.interface.{i.LinkNumber}.";
            Str(p + "bindnetaddr", i.BindNetAddress);
            Str(p + "mcastaddr", i.McastAddress);
            // totemconfig.c publishes every configured link's port, set or defaulted.
            entries.Add(new CmapEntry($"runtime.config.{p}mcastport", "u16", i.McastPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        for (var n = 0; n < config.Nodelist.Count; n++)
        {
            var node = config.Nodelist[n];
            var p = $"nodelist.node.{n}.";
            Str(p + "name", node.Name);
            if (node.NodeId is { } id) entries.Add(CmapEntry.U32(p + "nodeid", id.Value));
            if (Set(p + "quorum_votes")) entries.Add(CmapEntry.U32(p + "quorum_votes", node.QuorumVotes));
            Str(p + "ring0_addr", node.RingAddress);
            foreach (var ring in node.RedundantRings) Str(p + $"ring{ring.LinkNumber}_addr", ring.Address);
        }
        var q = config.Quorum;
        if (Set("quorum.allow_downscale")) entries.Add(CmapEntry.U8("quorum.allow_downscale", q.AllowDownscale));
        Str("quorum.provider", q.Provider, Set("quorum.provider"));
        U32("quorum.expected_votes", q.ExpectedVotes);
        if (Set("quorum.two_node")) entries.Add(CmapEntry.U8("quorum.two_node", q.TwoNode));
        if (q.WaitForAll is { } wfa) entries.Add(CmapEntry.U8("quorum.wait_for_all", wfa));
        if (Set("quorum.last_man_standing")) entries.Add(CmapEntry.U8("quorum.last_man_standing", q.LastManStanding));
        if (Set("quorum.last_man_standing_window")) entries.Add(CmapEntry.U32("quorum.last_man_standing_window", q.LastManStandingWindowMs));
        if (Set("quorum.auto_tie_breaker")) entries.Add(CmapEntry.U8("quorum.auto_tie_breaker", q.AutoTieBreaker != AutoTieBreakerMode.Off));
        return Sorted(entries);
    }

    private static IReadOnlyList<CmapEntry> Sorted(IEnumerable<CmapEntry> entries) =>
        entries.OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
}
