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
    public void A_node_with_crypto_none_has_no_refusal_counters_that_would_look_like_protection()
    {
        var text = PrometheusText.Render(ScriptedNode.FiveNodeRing(quorate: true), Clear);
        Assert.DoesNotContain("totem_datagrams_unauthenticated_total", text);
        Assert.Contains("totem_datagrams_malformed_total 0", text.Split('\n'));
    }
}
