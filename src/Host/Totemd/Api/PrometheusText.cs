using System.Globalization;
using System.Text;
using Totem.Nodes.Control;
using Totem.Protocol.Security;
using Totem.Protocol.Srp;

namespace Totem.Host.Totemd.Api;

/// <summary>Prometheus text exposition (format 0.0.4) of one node's status and metrics.</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(NodeStatusSnapshot status, NodeMetrics m)
    {
        var b = new StringBuilder();
        Gauge(b, "totem_members", "Processors in the current ring.", status.Members.Count);
        Gauge(b, "totem_ring_seq", "Sequence number of the current ring id.", status.RingId.Seq);
        b.Append("# HELP totem_ring_state 1 for the membership state the node is in.\n# TYPE totem_ring_state gauge\n");
        foreach (var state in Enum.GetValues<SrpState>())
            b.Append(CultureInfo.InvariantCulture, $"totem_ring_state{{state=\"{state.ToString().ToLowerInvariant()}\"}} {(state == status.State ? 1 : 0)}\n");
        Gauge(b, "totem_quorate", "1 when this node's partition has quorum.", status.Quorum.Quorate ? 1 : 0);
        Gauge(b, "totem_quorum_total_votes", "Votes of the current members.", status.Quorum.TotalVotes);
        Gauge(b, "totem_quorum_expected_votes", "votequorum's expected votes.", status.Quorum.ExpectedVotes);
        Gauge(b, "totem_quorum_votes_needed", "Votes needed for quorum.", status.Quorum.Quorum);
        Gauge(b, "totem_watchdog_armed", "1 while the fencing watchdog runs.", status.Watchdog.Armed ? 1 : 0);
        Gauge(b, "totem_token_rotation_milliseconds", "Average time of a full token rotation over the last 100 rotations.", m.TokenRotationMs);
        Counter(b, "totem_tokens_received_total", "Tokens received.", m.TokensReceived);
        Counter(b, "totem_token_losses_total", "Token-loss timer expiries (\"A processor failed, forming new configuration\").", m.TokensLost);
        Counter(b, "totem_membership_changes_total", "New memberships formed.", m.MembershipChanges);
        Counter(b, "totem_messages_submitted_total", "Application messages submitted to this node.", m.MessagesSubmitted);
        Counter(b, "totem_messages_delivered_total", "Application messages delivered by this node.", m.MessagesDelivered);
        Counter(b, "totem_retransmits_total", "Messages multicast again on a retransmit request.", m.Retransmits);
        Counter(b, "totem_retransmit_requests_total", "Sequence numbers this node asked to be retransmitted.", m.RetransmitRequests);
        Counter(b, "totem_consensus_timeouts_total", "Consensus timeouts during membership formation.", m.ConsensusTimeouts);
        Counter(b, "totem_datagrams_sent_total", "UDP datagrams sent.", m.DatagramsSent);
        Counter(b, "totem_datagrams_received_total", "UDP datagrams received.", m.DatagramsReceived);
        Counter(b, "totem_datagrams_dropped_by_fault_total", "Datagrams dropped by in-node fault injection.", m.DatagramsDroppedByFault);
        Counter(b, "totem_datagrams_malformed_total", "Datagrams dropped as malformed or unauthenticated.", m.DatagramsMalformed);
        Counter(b, "totem_datagrams_rejected_unlisted_total", "Datagrams dropped before decoding: their source is not a listed node (totem.block_unlisted_ips).", m.DatagramsRejectedUnlisted);
        if (m.DatagramsUnauthenticatedByReason.Count > 0)
        {
            b.Append("# HELP totem_datagrams_unauthenticated_total Datagrams the seal refused, by reason (also counted in totem_datagrams_malformed_total).\n# TYPE totem_datagrams_unauthenticated_total counter\n");
            foreach (var (reason, count) in m.DatagramsUnauthenticatedByReason.OrderBy(r => r.Key))
                b.Append(CultureInfo.InvariantCulture, $"totem_datagrams_unauthenticated_total{{reason=\"{SealFailureNames.Name(reason)}\"}} {count}\n");
        }
        Gauge(b, "totem_pending_messages", "Submitted messages waiting for the token.", m.PendingMessages);
        KnetLinks(b, status.Link);
        return b.ToString();
    }

    /// <summary>Each knet link to each peer (corosync's stats.knet.nodeN.linkM.*), labelled peer and link; nothing with one link.</summary>
    private static void KnetLinks(StringBuilder b, LinkSnapshot link)
    {
        var links = link.Peers.SelectMany(p => p.Links.Select(l => (Peer: p.NodeId.Value, Link: l))).ToList();
        if (links.Count == 0) return;
        Family(b, "totem_knet_link_connected", "1 while the knet link to the peer is up (its heartbeat's pongs come back).", "gauge", links, l => l.Connected ? 1 : 0);
        Family(b, "totem_knet_link_pings_sent_total", "Heartbeat pings sent on the link to the peer.", "counter", links, l => l.PingsSent);
        Family(b, "totem_knet_link_pongs_received_total", "Heartbeat pongs received on the link from the peer.", "counter", links, l => l.PongsReceived);
        Family(b, "totem_knet_link_latency_p50_milliseconds", "Median heartbeat round trip over the last pongs (NaN before the first).", "gauge", links, l => l.LatencyP50Ms ?? double.NaN);
        Family(b, "totem_knet_link_latency_p99_milliseconds", "99th percentile heartbeat round trip over the last pongs (NaN before the first).", "gauge", links, l => l.LatencyP99Ms ?? double.NaN);
        Family(b, "totem_knet_link_tx_bytes_total", "Bytes of ring datagrams sent on the link to the peer.", "counter", links, l => l.TxDataBytes);
        Family(b, "totem_knet_link_rx_bytes_total", "Bytes of ring datagrams received on the link from the peer.", "counter", links, l => l.RxDataBytes);
        Family(b, "totem_knet_link_dropped_total", "Datagrams from the peer dropped on the link by in-node fault injection.", "counter", links, l => l.Dropped);
        Family(b, "totem_knet_link_down_total", "Times the link to the peer went down.", "counter", links, l => l.DownCount);
    }

    private static void Family(StringBuilder b, string name, string help, string type, List<(uint Peer, PeerKnetLink Link)> links, Func<PeerKnetLink, double> value)
    {
        b.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
        foreach (var (peer, l) in links)
            b.Append(CultureInfo.InvariantCulture, $"{name}{{peer=\"{peer}\",link=\"{l.Link}\"}} {value(l).ToString("R", CultureInfo.InvariantCulture)}\n");
    }

    private static void Gauge(StringBuilder b, string name, string help, double value) => Sample(b, name, help, "gauge", value);

    private static void Counter(StringBuilder b, string name, string help, long value) => Sample(b, name, help, "counter", value);

    private static void Sample(StringBuilder b, string name, string help, string type, double value) =>
        b.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n{name} {value.ToString("R", CultureInfo.InvariantCulture)}\n");
}
