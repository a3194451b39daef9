using System.Net;
using System.Net.Sockets;

namespace Totem.Protocol.Config;

/// <summary>
/// The checks corosync makes before it starts (totem_config_validate and
/// totem_volatile_config_validate in exec/totemconfig.c, votequorum_readconfig in
/// exec/votequorum.c), each reported at the line of the key involved. Where votequorum silently
/// adjusts a setting at start-up (two_node with auto_tie_breaker, auto_tie_breaker on an odd-sized
/// cluster without wait_for_all) the returned config carries the adjusted value and a warning says
/// so, so every consumer sees what corosync would run with.
/// </summary>
public static class ClusterConfigValidator
{
    /// <summary>KNET_MAX_HOST: knet node ids are 16-bit.</summary>
    public const uint KnetMaxHost = 65536;

    public static ClusterConfig Validate(ClusterConfig config, List<ConfigDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var totem = config.Totem;
        var file1 = new SourcePosition(config.FileName, 1, 1);

        SourcePosition At(params string[] keys)
        {
            foreach (var key in keys)
                if (config.Positions.TryGetValue(key, out var p)) return p;
            return config.Positions.TryGetValue(keys[0].Split('.')[0], out var section) ? section : file1;
        }

        void Error(SourcePosition at, string message) => diagnostics.Add(ConfigDiagnostic.Error(at, message));
        void Warning(SourcePosition at, string message) => diagnostics.Add(ConfigDiagnostic.Warning(at, message));

        if (totem.Version != 2)
            Error(At("totem.version"), totem.Version is null
                ? "totem.version is missing: This totem parser can only parse version 2 configurations (add 'version: 2' to the totem section)."
                : $"totem.version is {totem.Version}: This totem parser can only parse version 2 configurations.");

        if (totem.LinkMode is not ("active" or "passive" or "rr"))
            Error(At("totem.link_mode"), $"The Knet link mode \"{totem.LinkMode}\" specified is invalid.  It must be active, passive or rr.");

        var isKnet = totem.Transport == "knet";
        if (!isKnet && totem.Interfaces.Count > 1)
            Error(At("totem.transport"), $"{totem.Interfaces.Count} is too many configured interfaces for non-Knet transport.");

        var crypto = TotemCrypto.Decide(totem, out var cryptoError);
        if (crypto is null)
            Error(At("totem.crypto_hash", "totem.crypto_cipher", "totem.secauth"), cryptoError!);
        else if (!isKnet && crypto != Security.CryptoSettings.Off)
            Error(At("totem.crypto_cipher", "totem.crypto_hash", "totem.secauth", "totem.transport"),
                "crypto_cipher & crypto_hash are only valid for the Knet transport.");

        ValidateTimeouts(config, At, Error);
        ValidateNodelist(config, isKnet, At, Error);
        ValidateLinks(config, isKnet, At, Error, Warning);

        if (config.Nodelist.Count == 0 && config.Discovery.DnsName is null)
            Error(At("nodelist", "discovery", "totem"),
                "configuration error: there is no nodelist and no discovery.dns_name: nothing tells this node who its peers are " +
                "(corosync: nodelist or quorum.expected_votes must be configured!)");

        return config with { Quorum = ValidateQuorum(config, At, Error, Warning) };
    }

    /// <summary>
    /// Knet's 16-bit node ids (KNET_MAX_HOST) for a ring without a nodelist: discovery.nodeid_source address derives
    /// 32-bit ids from IPv4 addresses (172.28.5.2 is 2887517442), which corosync derives only for udp/udpu. Asked of the
    /// effective config, after totemd's HOCON filled in the source the file left out; null when the ids can be used.
    /// </summary>
    public static string? DiscoveryIdentityProblem(ClusterConfig effective)
    {
        ArgumentNullException.ThrowIfNull(effective);
        if (effective.Totem.Transport != "knet" || effective.Nodelist.Count > 0 || effective.Discovery.DnsName is null) return null;
        if (effective.Discovery.NodeIdSource != NodeIdSource.Address) return null;
        return $"discovery.nodeid_source address derives node ids from IPv4 addresses (32 bits), but Knet requires nodeid to be " +
            $"less than {KnetMaxHost}: use nodeid_source reverse_dns_replica, or transport udpu (corosync derives nodeids only " +
            "for udp/udpu, and those carry no crypto)";
    }

    private static void ValidateTimeouts(ClusterConfig config, Func<string[], SourcePosition> at, Action<SourcePosition, string> error)
    {
        var timeouts = config.Timeouts();
        foreach (var violation in TotemTimeoutRules.Check(timeouts, config.Totem))
        {
            // Blame the key that was written; a derived value points at what it was derived from.
            string[] keys = violation.Key switch
            {
                "token" => ["totem.token", "totem.token_retransmits_before_loss_const"],
                "hold" => ["totem.hold", "totem.token_retransmit", "totem.token"],
                "consensus" => ["totem.consensus", "totem.join", "totem.token"],
                "token_coefficient" => ["totem.token_coefficient", "totem.token"],
                _ => ["totem." + violation.Key],
            };
            error(at(keys), "parse error in config: " + violation.Message);
        }
    }

    private static void ValidateNodelist(ClusterConfig config, bool isKnet, Func<string[], SourcePosition> at, Action<SourcePosition, string> error)
    {
        var seen = new Dictionary<uint, (int Index, bool Derived)>();
        AddressFamily? family = null;
        string? firstAddress = null;
        for (var i = 0; i < config.Nodelist.Count; i++)
        {
            var node = config.Nodelist[i];
            var path = $"nodelist.node.{i}";
            var address = node.RingAddress;
            if (address is null)
            {
                error(at([path + ".name", path]),
                    $"node {node.Name ?? (node.NodeId?.ToString() ?? "#" + (i + 1))} has no ring0_addr: corosync needs the address it reaches the node on");
                continue;
            }

            if (IPAddress.TryParse(address, out var ip) && address.Contains(ip.AddressFamily == AddressFamily.InterNetworkV6 ? ':' : '.'))
            {
                if (family is null)
                {
                    family = ip.AddressFamily;
                    firstAddress = address;
                }
                else if (family != ip.AddressFamily)
                {
                    error(at([path + ".ring0_addr"]), $"Nodes for link 0 have different IP families (compared {address} with {firstAddress})");
                }
            }

            var nodeId = node.NodeId;
            var derived = false;
            if (nodeId is null)
            {
                if (isKnet)
                {
                    error(at([path + ".nodeid", path]), $"Knet requires an explicit nodeid to be specified for address '{address}'.");
                    continue;
                }
                nodeId = NodeIdDerivation.FromIPv4Address(address);
                if (nodeId is null)
                {
                    error(at([path + ".ring0_addr", path]),
                        $"An IPV6 network requires that a node ID be specified for address '{address}': " +
                        "a nodeid can only be derived from an IPv4 address literal.");
                    continue;
                }
                derived = true;
            }
            else if (isKnet && nodeId.Value.Value >= KnetMaxHost)
            {
                error(at([path + ".nodeid"]), $"Knet requires nodeid to be less than {KnetMaxHost} for address '{address}'.");
            }

            if (seen.TryGetValue(nodeId.Value.Value, out var first))
            {
                error(at([path + ".nodeid", path]),
                    $"Nodeid {nodeId.Value}{(derived ? $"(autogenerated from {address})" : "")} appears twice in corosync.conf " +
                    $"(first in the node block at line {config.Nodelist[first.Index].Line})");
            }
            else
            {
                seen[nodeId.Value.Value] = (i, derived);
            }
        }
    }

    /// <summary>
    /// The redundant links (knet): every node has an address on every link some node has (corosync refuses "Not all
    /// nodes have the same number of links"), one IP family per link, no two links of a node on one address and port
    /// (they would need one socket), links only under knet, and interface blocks only for links the nodelist uses.
    /// </summary>
    private static void ValidateLinks(ClusterConfig config, bool isKnet, Func<string[], SourcePosition> at,
        Action<SourcePosition, string> error, Action<SourcePosition, string> warning)
    {
        var nodes = config.Nodelist;
        if (nodes.Count == 0)
        {
            ValidateDiscoveryLinks(config, isKnet, at, error, warning);
            return;
        }
        var links = nodes.SelectMany(n => n.LinkNumbers).Distinct().Order().ToList();
        string Key(int node, uint link) => $"nodelist.node.{node}.ring{link}_addr";
        string Name(int i) => nodes[i].Name ?? nodes[i].NodeId?.ToString() ?? "#" + (i + 1);

        if (!isKnet && links.Any(l => l != 0))
        {
            var i = Enumerable.Range(0, nodes.Count).First(n => nodes[n].RedundantRings.Count > 0);
            var link = nodes[i].RedundantRings[0].LinkNumber;
            error(at([Key(i, link)]),
                $"ring{link}_addr of node {Name(i)}: transport {config.Totem.Transport} runs a single link; redundant links need transport knet");
            return;
        }

        foreach (var link in links.Where(l => l != 0))
        {
            var having = Enumerable.Range(0, nodes.Count).First(n => nodes[n].AddressOf(link) is not null);
            AddressFamily? family = null;
            string? firstAddress = null;
            for (var i = 0; i < nodes.Count; i++)
            {
                var address = nodes[i].AddressOf(link);
                if (address is null)
                {
                    error(at([$"nodelist.node.{i}.ring0_addr", $"nodelist.node.{i}"]),
                        $"node {Name(i)} (line {nodes[i].Line}) has no ring{link}_addr, but node {Name(having)} (line {nodes[having].Line}) has one: " +
                        "Not all nodes have the same number of links (every node needs an address on every link)");
                    continue;
                }
                if (!IPAddress.TryParse(address, out var ip)) continue;
                if (family is null)
                {
                    (family, firstAddress) = (ip.AddressFamily, address);
                }
                else if (family != ip.AddressFamily)
                {
                    error(at([Key(i, link)]), $"Nodes for link {link} have different IP families (compared {address} with {firstAddress})");
                }
            }
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            var seen = new Dictionary<(string Address, ushort Port), uint>();
            foreach (var link in nodes[i].LinkNumbers)
            {
                var port = LinkPort(config.Totem, link);
                var address = nodes[i].AddressOf(link)!;
                if (seen.TryGetValue((address, port), out var first))
                    error(at([Key(i, link)]),
                        $"node {Name(i)}: ring{link}_addr and ring{first}_addr are both {address} with port {port}: two links cannot share one socket " +
                        $"(give the links different addresses, or different ports with mcastport in their interface blocks)");
                else
                    seen[(address, port)] = link;
            }
        }

        foreach (var block in config.Totem.Interfaces.Where(b => !links.Contains(b.LinkNumber)))
            warning(at(["totem"]) with { Line = block.Line, Column = 1 },
                $"interface block for linknumber {block.LinkNumber} (line {block.Line}), but no node has a ring{block.LinkNumber}_addr: the link is not used");
    }

    /// <summary>
    /// The redundant links of a ring without a nodelist (discovery.ringN_dns_name): links only under knet, and interface
    /// blocks only for links discovery names.
    /// </summary>
    private static void ValidateDiscoveryLinks(ClusterConfig config, bool isKnet, Func<string[], SourcePosition> at,
        Action<SourcePosition, string> error, Action<SourcePosition, string> warning)
    {
        var discovery = config.Discovery;
        if (discovery.DnsName is null) return;
        if (!isKnet && discovery.LinkDnsNames.Count > 0)
        {
            var link = discovery.LinkDnsNames[0].LinkNumber;
            error(at([$"discovery.ring{link}_dns_name"]),
                $"discovery.ring{link}_dns_name: transport {config.Totem.Transport} runs a single link; redundant links need transport knet");
            return;
        }
        var links = discovery.LinkNumbers.ToHashSet();
        foreach (var block in config.Totem.Interfaces.Where(b => !links.Contains(b.LinkNumber)))
            warning(at(["totem"]) with { Line = block.Line, Column = 1 },
                $"interface block for linknumber {block.LinkNumber} (line {block.Line}), but discovery has no ring{block.LinkNumber}_dns_name: the link is not used");
    }

    /// <summary>Link N's UDP port: its interface block's mcastport, else 5405 + N as corosync.</summary>
    public static ushort LinkPort(TotemSettings totem, uint link)
    {
        ArgumentNullException.ThrowIfNull(totem);
        return totem.Interfaces.FirstOrDefault(i => i.LinkNumber == link)?.McastPort ?? (ushort)(TotemInterface.DefaultPort + link);
    }

    private static QuorumSettings ValidateQuorum(ClusterConfig config, Func<string[], SourcePosition> at,
        Action<SourcePosition, string> error, Action<SourcePosition, string> warning)
    {
        var quorum = config.Quorum;
        if (quorum.TwoNode && quorum.AutoTieBreaker != AutoTieBreakerMode.Off)
        {
            warning(at(["quorum.two_node"]),
                "two_node and auto_tie_breaker are both specified but are not compatible. two_node has been disabled, please fix your corosync.conf");
            quorum = quorum with { TwoNode = false };
        }

        // votequorum: node_expected_votes is the nodelist's vote total; wait_for_all follows two_node unless set.
        var nodeVotes = config.Nodelist.Aggregate(0u, (sum, n) => sum + n.QuorumVotes);
        var waitForAll = quorum.WaitForAll ?? quorum.TwoNode;
        if (quorum.AutoTieBreaker != AutoTieBreakerMode.Off && nodeVotes % 2 == 1 && !waitForAll)
        {
            if (quorum.LastManStanding)
            {
                error(at(["quorum.auto_tie_breaker"]),
                    "configuration error: auto_tie_breaker & last_man_standing not available in odd sized cluster: " +
                    "disable last_man_standing, keep auto_tie_breaker and enable wait_for_all (mandatory for auto_tie_breaker in odd-numbered clusters)");
            }
            else
            {
                warning(at(["quorum.auto_tie_breaker"]),
                    "auto_tie_breaker is set and the cluster has an odd number of nodes. wait_for_all needs to be set for this configuration " +
                    "but it is missing. Therefore auto_tie_breaker has been disabled. Please fix your corosync.conf");
                quorum = quorum with { AutoTieBreaker = AutoTieBreakerMode.Off, AutoTieBreakerNodes = Wire.ValueList<Wire.NodeId>.Empty };
            }
        }

        if (quorum.TwoNode && config.Nodelist.Count > 0 && config.Nodelist.Count != 2)
            warning(at(["quorum.two_node"]),
                $"two_node is set but the nodelist has {config.Nodelist.Count} nodes: two_node only makes sense for exactly two (votequorum(5))");

        return quorum;
    }
}
