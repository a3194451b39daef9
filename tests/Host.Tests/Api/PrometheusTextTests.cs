using Totem.Host.Tests.Fixtures;
using Totem.Host.Totemd.Api;
using Totem.Nodes.Control;
using Totem.Protocol.Security;

namespace Totem.Host.Tests.Api;

public sealed class PrometheusTextTests
{
    private static readonly NodeMetrics Clear = new(812.5, 100, 2, 3, 10, 9, 4, 5, 1, 1000, 990, 7, 0, 3, 1, 0);

    [Fact]
    public void A_sealing_node_exposes_its_refusals_by_reason_as_one_labelled_counter()
    {
        var sealing = Clear with
        {
            DatagramsUnauthenticated = 12,
            DatagramsUnauthenticatedByReason = SealFailureNames.Reasons.ToDictionary(r => r, r => r switch
            {
                SealFailure.BadTag => 9L,
                SealFailure.OlderEpoch => 2L,
                SealFailure.SenderMismatch => 1L,
                _ => 0L,
            }),
        };
        var lines = PrometheusText.Render(ScriptedNode.FiveNodeRing(quorate: true), sealing).Split('\n');
        Assert.Contains("# TYPE totem_datagrams_unauthenticated_total counter", lines);
        Assert.Contains("totem_datagrams_unauthenticated_total{reason=\"bad_tag\"} 9", lines);
        Assert.Contains("totem_datagrams_unauthenticated_total{reason=\"older_epoch\"} 2", lines);
        Assert.Contains("totem_datagrams_unauthenticated_total{reason=\"sender_mismatch\"} 1", lines);
        Assert.Contains("totem_datagrams_unauthenticated_total{reason=\"replayed\"} 0", lines);
        Assert.Equal(SealFailureNames.Reasons.Count, lines.Count(l => l.StartsWith("totem_datagrams_unauthenticated_total{", StringComparison.Ordinal)));
    }

    [Fact]
    public void Each_knet_link_to_each_peer_is_a_labelled_sample_and_a_one_link_node_has_none()
    {
        var lines = PrometheusText.Render(ScriptedNode.TwoLinkRing(), Clear).Split('\n');
        Assert.Contains("# TYPE totem_knet_link_connected gauge", lines);
        Assert.Contains("totem_knet_link_connected{peer=\"4\",link=\"0\"} 0", lines);
        Assert.Contains("totem_knet_link_connected{peer=\"4\",link=\"1\"} 1", lines);
        Assert.Contains("totem_knet_link_latency_p99_milliseconds{peer=\"2\",link=\"1\"} 0.9", lines);
        Assert.Contains("totem_knet_link_dropped_total{peer=\"4\",link=\"0\"} 17", lines);
        Assert.Contains("totem_knet_link_down_total{peer=\"4\",link=\"0\"} 1", lines);
        Assert.Equal(8, lines.Count(l => l.StartsWith("totem_knet_link_pings_sent_total{", StringComparison.Ordinal)));
        Assert.DoesNotContain("totem_knet_link", PrometheusText.Render(ScriptedNode.FiveNodeRing(quorate: true), Clear));
    }

    [Fact]
    public void A_node_with_crypto_none_has_no_refusal_counters_that_would_look_like_protection()
    {
        var text = PrometheusText.Render(ScriptedNode.FiveNodeRing(quorate: true), Clear);
        Assert.DoesNotContain("totem_datagrams_unauthenticated_total", text);
        Assert.Contains("totem_datagrams_malformed_total 0", text.Split('\n'));
    }
}
