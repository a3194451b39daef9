using System.Globalization;
using Totem.Protocol.Config.Syntax;
using Totem.Protocol.Wire;

namespace Totem.Protocol.Config;

/// <summary>
/// Loads a corosync.conf-style file into a <see cref="ClusterConfig"/>: syntax
/// (<see cref="ConfigSyntaxParser"/>), typed sections with corosync's defaults, then corosync's
/// validation (<see cref="ClusterConfigValidator"/>). Pure: the text and environment come in.
/// </summary>
public static class ClusterConfigParser
{
    private static readonly string[] UnusedRootSections = ["system", "resources", "uidgid", "nozzle"];

    private static readonly string[] UnusedTotemKeys =
    [
        "nodeid", "threads", "netmtu", "clear_node_high_bit", "ip_dscp", "heartbeat_failures_allowed",
        "knet_pmtud_interval", "knet_mtu", "knet_compression_threshold", "knet_compression_level", "knet_compression_model",
        "cancel_token_hold_on_retransmit", "rrp_mode", "vsftype",
    ];

    private static readonly string[] UnusedInterfaceKeys =
    [
        "ttl", "broadcast", "knet_ping_precision", "knet_transport",
    ];

    private static readonly string[] UnusedLoggingKeys =
    [
        "function_name", "syslog_facility", "syslog_priority", "logfile_priority", "blackbox", "logger_subsys", "logging_daemon",
    ];

    private static readonly string[] UnusedQuorumKeys =
    [
        "votes", "expected_votes_tracking", "leaving_timeout", "device",
    ];

    public const uint MaxLinks = Links.LinkSettings.MaxLinks;

    /// <summary>Parses, binds and validates. The result is valid only when no diagnostic is an error.</summary>
    /// <param name="text">The file's content.</param>
    /// <param name="fileName">Used in every diagnostic.</param>
    /// <param name="environment">Looks up <c>${VAR}</c>; return null for an unset variable.</param>
    public static ConfigLoadResult Parse(string text, string fileName, Func<string, string?> environment)
    {
        var syntax = ConfigSyntaxParser.Parse(text, fileName, environment);
        var diagnostics = new List<ConfigDiagnostic>(syntax.Diagnostics);
        var positions = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        var root = new SectionReader("", syntax.Root.Position, [syntax.Root], diagnostics, positions);

        SectionReader Section(string name)
        {
            var sections = root.TakeSections(name);
            var at = sections.Count > 0 ? sections[0].Position : syntax.Root.Position;
            if (sections.Count > 0) positions[name] = at;
            return new SectionReader(name, at, sections, diagnostics, positions);
        }

        var totem = ReadTotem(Section("totem"), diagnostics, positions);
        var nodelist = ReadNodelist(Section("nodelist"), diagnostics, positions);
        var quorum = ReadQuorum(Section("quorum"));
        var logging = ReadLogging(Section("logging"));
        var discovery = ReadDiscovery(Section("discovery"));
        var fencing = ReadFencing(Section("fencing"));
        var control = ReadControl(Section("control"));
        root.Unused("a corosync section", UnusedRootSections);
        root.WarnUnknown();

        var config = new ClusterConfig(fileName, totem, nodelist, quorum, logging, discovery, fencing, control, positions)
        {
            Values = ConfigKeyPaths.Flatten(syntax.Root),
        };
        if (syntax.HasErrors)
            return new ConfigLoadResult(null, Ordered(diagnostics));

        config = ClusterConfigValidator.Validate(config, diagnostics);
        var ordered = Ordered(diagnostics);
        return new ConfigLoadResult(ordered.Any(d => d.IsError) ? null : config, ordered);
    }

    private static List<ConfigDiagnostic> Ordered(List<ConfigDiagnostic> diagnostics) =>
        diagnostics.OrderBy(d => d.Position.Line).ThenBy(d => d.Position.Column).ToList();

    /// <summary>
    /// secauth as totem_get_crypto reads it: only the word "on" turns crypto on, anything else off. A
    /// "yes" that silently means off is the trap the warning is for.
    /// </summary>
    private static bool? SecAuth(SectionReader r)
    {
        var text = r.String("secauth");
        if (text is null) return null;
        if (text is not ("on" or "off"))
            r.Warning("secauth", $"secauth is \"{text}\": corosync turns crypto on only for the word 'on', so this means off; write 'on' or 'off'");
        return text == "on";
    }

    /// <summary>
    /// totem_volatile_config_set_boolean_value reads exactly "yes" or "no" and keeps the default (yes) for anything
    /// else, so "off" still blocks there: the same here, said out loud rather than silently.
    /// </summary>
    private static bool BlockUnlistedIps(SectionReader r)
    {
        const string key = "block_unlisted_ips";
        switch (r.String(key))
        {
            case null or "yes":
                return true;
            case "no":
                return false;
            case var other:
                r.Warning(key, $"{r.Qualified(key)}: '{other}' is neither 'yes' nor 'no'; as corosync, the default (yes) stays in force");
                return true;
        }
    }

    private static TotemSettings ReadTotem(SectionReader r, List<ConfigDiagnostic> diagnostics, Dictionary<string, SourcePosition> positions)
    {
        const string ms = " (milliseconds)";
        var settings = new TotemSettings
        {
            Version = r.UInt32("version"),
            ClusterName = r.String("cluster_name"),
            ConfigVersion = r.UInt64("config_version"),
            IpVersion = r.Word("ip_version", "ipv4", "ipv6", "ipv4-6", "ipv6-4"),
            SecAuth = SecAuth(r),
            LinkMode = r.String("link_mode") ?? "passive",
            Transport = r.Word("transport", "knet", "udpu", "udp") ?? TotemSettings.DefaultTransport,
            CryptoCipher = r.Word("crypto_cipher", "none", "aes256", "aes192", "aes128"),
            CryptoHash = r.Word("crypto_hash", "none", "md5", "sha1", "sha256", "sha384", "sha512"),
            CryptoModel = r.Word("crypto_model", "nss", "openssl"),
            KeyFile = r.String("keyfile"),
            Key = r.String("key"),
            Token = r.UInt32("token", ms),
            TokenCoefficient = r.UInt32("token_coefficient", ms),
            TokenRetransmit = r.UInt32("token_retransmit", ms),
            Hold = r.UInt32("hold", ms),
            TokenRetransmitsBeforeLossConst = r.UInt32("token_retransmits_before_loss_const"),
            Join = r.UInt32("join", ms),
            SendJoin = r.UInt32("send_join", ms),
            Consensus = r.UInt32("consensus", ms),
            Merge = r.UInt32("merge", ms),
            Downcheck = r.UInt32("downcheck", ms),
            FailRecvConst = r.UInt32("fail_recv_const"),
            SeqnoUnchangedConst = r.UInt32("seqno_unchanged_const"),
            MissCountConst = r.UInt32("miss_count_const"),
            MaxMessages = r.UInt32("max_messages"),
            WindowSize = r.UInt32("window_size"),
            TokenWarning = r.UInt32("token_warning", " (percent of token)"),
            MaxNetworkDelay = r.UInt32("max_network_delay", ms),
            BlockUnlistedIps = BlockUnlistedIps(r),
        };

        var interfaces = new List<TotemInterface>();
        foreach (var section in r.TakeSections("interface"))
        {
            var ir = new SectionReader($"totem.interface", section.Position, [section], diagnostics, positions);
            var linkNumber = ir.UInt32("linknumber") ?? ir.UInt32("ringnumber") ?? 0;
            if (linkNumber >= MaxLinks)
            {
                ir.Error("linknumber",
                    $"interface ring number {linkNumber} is bigger than allowed maximum {MaxLinks - 1}");
                linkNumber = 0;
            }
            var port = ir.UInt16("mcastport") ?? (ushort)(TotemInterface.DefaultPort + linkNumber);
            var entry = new TotemInterface(linkNumber, ir.String("bindnetaddr"), ir.String("mcastaddr"), port, section.Position.Line)
            {
                KnetLinkPriority = KnetLinkPriority(ir),
                KnetPingInterval = Positive(ir, "knet_ping_interval", " (milliseconds)"),
                KnetPingTimeout = Positive(ir, "knet_ping_timeout", " (milliseconds)"),
                KnetPongCount = Positive(ir, "knet_pong_count", ""),
            };
            if (entry is { KnetPingInterval: { } interval, KnetPingTimeout: { } timeout } && timeout < interval)
                ir.Warning("knet_ping_timeout",
                    $"totem.interface.knet_ping_timeout {timeout} ms is shorter than knet_ping_interval {interval} ms: link {linkNumber} " +
                    "would be declared down between two pings");
            ir.Unused("knet and multicast tuning", UnusedInterfaceKeys);
            ir.WarnUnknown();
            if (interfaces.Any(i => i.LinkNumber == entry.LinkNumber))
                diagnostics.Add(ConfigDiagnostic.Error(section.Position,
                    $"interface linknumber {entry.LinkNumber} is defined twice (first at line {interfaces.First(i => i.LinkNumber == entry.LinkNumber).Line})"));
            else
                interfaces.Add(entry);
        }
        r.Unused("knet, crypto-key and kernel tuning of corosync", UnusedTotemKeys);
        r.WarnUnknown();
        return settings with { Interfaces = interfaces.ToValueList() };
    }

    /// <summary>knet_link_priority: knet keeps it in a byte (knet_link_set_priority takes a uint8_t).</summary>
    private static byte? KnetLinkPriority(SectionReader r)
    {
        var value = r.UInt32("knet_link_priority");
        if (value is null or <= byte.MaxValue) return (byte?)value;
        r.Error("knet_link_priority", $"totem.interface.knet_link_priority {value} is out of range: knet link priorities are 0..{byte.MaxValue}");
        return null;
    }

    /// <summary>A knet heartbeat value: knet refuses 0 (knet_link_set_ping_timers, knet_link_set_pong_count return EINVAL).</summary>
    private static uint? Positive(SectionReader r, string key, string unit)
    {
        var value = r.UInt32(key, unit);
        if (value is not 0) return value;
        r.Error(key, $"{r.Qualified(key)} is 0: knet needs at least 1{unit}; leave the key out for corosync's default");
        return null;
    }

    private static IReadOnlyList<NodeEntry> ReadNodelist(SectionReader r, List<ConfigDiagnostic> diagnostics, Dictionary<string, SourcePosition> positions)
    {
        var nodes = new List<NodeEntry>();
        foreach (var section in r.TakeSections("node"))
        {
            var path = $"nodelist.node.{nodes.Count}";
            positions[path] = section.Position;
            var nr = new SectionReader(path, section.Position, [section], diagnostics, positions);
            var nodeId = nr.UInt32("nodeid");
            var name = nr.String("name");
            var ring0 = nr.String("ring0_addr");
            var votes = nr.UInt32("quorum_votes") ?? 1;
            var redundant = new List<LinkAddress>();
            for (var link = 1u; link < MaxLinks; link++)
                if (nr.String($"ring{link}_addr") is { } address)
                    redundant.Add(new LinkAddress(link, address));
            nr.WarnUnknown();
            // corosync reads nodeid 0 as "not set" and derives one from ring0_addr.
            nodes.Add(new NodeEntry(nodeId is null or 0 ? null : new NodeId(nodeId.Value), name, ring0, votes, section.Position.Line)
            {
                RedundantRings = redundant.ToValueList(),
            });
        }
        r.WarnUnknown();
        return nodes;
    }

    private static QuorumSettings ReadQuorum(SectionReader r)
    {
        var d = QuorumSettings.Default;
        var provider = r.String("provider") ?? d.Provider;
        if (provider != "corosync_votequorum")
            r.Error("provider", $"quorum provider '{provider}' is not supported: expected 'corosync_votequorum'");
        var expected = r.UInt32("expected_votes", " (votes)");
        var twoNode = r.Bool("two_node") ?? d.TwoNode;
        var waitForAll = r.Bool("wait_for_all");
        var lms = r.Bool("last_man_standing") ?? d.LastManStanding;
        var lmsWindow = r.UInt32("last_man_standing_window", " (milliseconds)") ?? d.LastManStandingWindowMs;
        var atb = r.Bool("auto_tie_breaker") ?? false;
        var atbNode = r.String("auto_tie_breaker_node");
        var allowDownscale = r.Bool("allow_downscale") ?? d.AllowDownscale;
        // votequorum_readconfig refuses to start with both; a device counts once it names a model (votequorum_qdevice_is_configured).
        if (allowDownscale && r.PeekSections("device").SelectMany(s => s.Entries).OfType<ConfigValue>()
                .LastOrDefault(v => v.Name == "model") is { Value.Length: > 0 } model)
            r.Error("allow_downscale",
                $"configuration error: quorum.device is not compatible with allow_downscale (quorum.device.model is set at line {model.Position.Line})");
        r.Unused("qdevice and expected-votes tracking are not implemented", UnusedQuorumKeys);
        r.WarnUnknown();

        var mode = AutoTieBreakerMode.Off;
        var atbNodes = ValueList<NodeId>.Empty;
        if (!atb)
        {
            if (atbNode is not null)
                r.Warning("auto_tie_breaker_node", "auto_tie_breaker_node: is meaningless if auto_tie_breaker is set to 0");
        }
        else if (atbNode is null or "lowest")
        {
            mode = AutoTieBreakerMode.Lowest;
        }
        else if (atbNode == "highest")
        {
            mode = AutoTieBreakerMode.Highest;
        }
        else
        {
            var ids = atbNode.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var parsed = ids.Select(s => uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0u).ToList();
            if (parsed.Count > 0 && parsed.All(n => n > 0))
            {
                mode = AutoTieBreakerMode.List;
                atbNodes = parsed.Select(n => new NodeId(n)).ToValueList();
            }
            else
            {
                r.Warning("auto_tie_breaker_node",
                    $"auto_tie_breaker_node is not valid (\"{atbNode}\"). It must be 'lowest', 'highest' or a space-separated list of node IDs. auto_tie_breaker is disabled");
            }
        }
        return new QuorumSettings(provider, expected, twoNode, waitForAll, lms, lmsWindow, mode, atbNodes, allowDownscale);
    }

    private static LoggingSettings ReadLogging(SectionReader r)
    {
        var d = LoggingSettings.Default;
        var result = new LoggingSettings(
            r.Bool("to_logfile") ?? d.ToLogfile,
            r.String("logfile"),
            r.Bool("to_syslog") ?? d.ToSyslog,
            r.Bool("to_stderr") ?? d.ToStderr,
            r.Choice("debug", new Dictionary<string, LogDebug> { ["off"] = LogDebug.Off, ["on"] = LogDebug.On, ["trace"] = LogDebug.Trace }) ?? d.Debug,
            r.Choice("timestamp", new Dictionary<string, LogTimestamp> { ["off"] = LogTimestamp.Off, ["on"] = LogTimestamp.On, ["hires"] = LogTimestamp.Hires }) ?? d.Timestamp,
            r.Bool("fileline") ?? d.Fileline);
        r.Unused("log routing per subsystem and syslog tuning", UnusedLoggingKeys);
        r.WarnUnknown();
        if (result.ToLogfile && string.IsNullOrEmpty(result.Logfile))
            r.Error("to_logfile", "logging.to_logfile is yes but no logging.logfile is given: there is no file to write to");
        return result;
    }

    private static DiscoverySettings ReadDiscovery(SectionReader r)
    {
        var d = DiscoverySettings.Default;
        DiscoverySettings result = new(
            r.String("dns_name"),
            r.UInt16("port") ?? d.Port,
            r.UInt32("interval", " (milliseconds)") ?? d.IntervalMs,
            r.Choice("nodeid_source", new Dictionary<string, NodeIdSource>
            {
                ["address"] = NodeIdSource.Address,
                ["reverse_dns_replica"] = NodeIdSource.ReverseDnsReplica,
            }) ?? d.NodeIdSource);
        var links = new List<LinkAddress>();
        for (var link = 1u; link < MaxLinks; link++)
            if (r.String($"ring{link}_dns_name") is { } name)
                links.Add(new LinkAddress(link, name));
        result = result with { LinkDnsNames = links.ToValueList() };
        r.WarnUnknown();
        if (links.Count > 0 && result.DnsName is null)
            r.Error($"ring{links[0].LinkNumber}_dns_name",
                $"discovery.ring{links[0].LinkNumber}_dns_name is set but discovery.dns_name (link 0's name) is not: every node needs an address on link 0");
        if (result.Port + (links.Count == 0 ? 0 : links[^1].LinkNumber) > ushort.MaxValue)
            r.Error("port", $"discovery.port {result.Port} leaves no port for link {links[^1].LinkNumber} (port + linknumber is above 65535)");
        if (result.Port == 0) r.Error("port", "discovery.port 0 is not a port peers can listen on: expected 1..65535");
        if (result.IntervalMs == 0) r.Error("interval", "discovery.interval must be at least 1 ms: 0 would re-resolve the name continuously");
        return result;
    }

    private static FencingSettings ReadFencing(SectionReader r)
    {
        var d = FencingSettings.Default;
        var result = new FencingSettings(
            r.Choice("mode", new Dictionary<string, FencingMode> { ["exit"] = FencingMode.Exit, ["none"] = FencingMode.None }) ?? d.Mode,
            r.UInt32("timeout", " (milliseconds)") ?? d.TimeoutMs);
        r.WarnUnknown();
        return result;
    }

    private static ControlSettings ReadControl(SectionReader r)
    {
        var bind = r.String("bind");
        r.WarnUnknown();
        if (bind is null) return ControlSettings.Default;
        if (TryParseBind(bind, out var settings)) return settings;
        r.Error("bind", $"value of key 'control.bind' is expected to be ADDRESS:PORT (e.g. 127.0.0.1:7405 or [::1]:7405), but \"{bind}\" was given");
        return ControlSettings.Default;
    }

    /// <summary>Parses <c>ADDR:PORT</c> or <c>[IPv6]:PORT</c> with a port in 1..65535.</summary>
    public static bool TryParseBind(string text, out ControlSettings settings)
    {
        settings = ControlSettings.Default;
        string host;
        string port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0) return false;
            host = text[1..close];
            port = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':') != colon) return false;
            host = text[..colon];
            port = text[(colon + 1)..];
        }
        if (host.Length == 0 || host.Any(char.IsWhiteSpace)) return false;
        if (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p == 0) return false;
        settings = new ControlSettings(host, p);
        return true;
    }
}
