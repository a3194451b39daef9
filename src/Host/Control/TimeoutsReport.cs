using System.Globalization;
using Totem.Host.Control.Api;
using Totem.Nodes.Control;
using Totem.Protocol.Config;

namespace Totem.Host.Control;

/// <summary>
/// What timeouts mean for a ring of N nodes: a config's (or corosync's defaults) for `totemctl timeouts --config`,
/// or a running node's for GET /v1/timeouts. The numbers come from <see cref="TotemTimeouts.Derive"/> (the one
/// formula place), in the node's case as it derived them; this class only adds them up the way the protocol spends them.
/// </summary>
public static class TimeoutsReport
{
    /// <summary>Above this effective token, a crash takes longer to notice than most admins expect.</summary>
    public const uint LargeTokenWarningMs = 10_000;

    /// <summary>What <paramref name="totem"/> gives for <paramref name="nodes"/> nodes (<paramref name="configName"/>: its file, null for corosync's defaults).</summary>
    public static TimeoutsDto Build(string? configName, TotemSettings totem, FencingSettings fencing, int nodes) =>
        Build(configName, null, TotemTimeouts.Derive(totem, nodes), totem, fencing);

    /// <summary>What node <paramref name="nodeId"/> runs now: its derived timing as the engines have it, after any reload.</summary>
    public static TimeoutsDto ForNode(uint nodeId, RunningTimeouts running)
    {
        ArgumentNullException.ThrowIfNull(running);
        return Build(null, nodeId, running.Timeouts, running.Totem, running.Fencing);
    }

    private static TimeoutsDto Build(string? configName, uint? nodeId, TotemTimeouts t, TotemSettings totem, FencingSettings fencing)
    {
        var nodes = t.NodeCount;
        var newMembership = t.Token + t.Consensus;
        var fencingMs = fencing.Mode == FencingMode.None ? 0 : newMembership + fencing.TimeoutMs;
        var warnings = new List<string>();
        foreach (var v in TotemTimeoutRules.Check(t, totem))
            warnings.Add($"{v.Key}: {v.Message}");
        if (t.Token > LargeTokenWarningMs)
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"effective token {t.Token} ms is above {LargeTokenWarningMs} ms: with {nodes} nodes, token_coefficient adds {(nodes - 2) * (long)t.TokenCoefficient} ms, so a dead node is noticed only after {t.Token / 1000.0:0.#} s and the ring stalls that long") +
                ". Lower token_coefficient (or token) if your network is fast, but keep the effective token above the longest pause a healthy node can have (GC, live migration, I/O stalls).");
        if (t.TokenCoefficient == 0 && nodes > 2)
            warnings.Add("token_coefficient is 0: the token timeout does not grow with the ring, so a large ring may declare token loss during a normal slow rotation.");
        return new TimeoutsDto(configName, nodeId, nodes, t, t.Token, newMembership, fencing.Mode.ToString().ToLowerInvariant(), fencing.TimeoutMs, fencingMs, warnings);
    }

    public static void Write(TextWriter w, TimeoutsDto r)
    {
        var t = r.Timeouts;
        var inv = CultureInfo.InvariantCulture;
        var source = (r.Node, r.Config) switch
        {
            ({ } node, _) => string.Create(inv, $"what node {node} runs now"),
            (_, { } config) => "config " + config,
            _ => "corosync defaults",
        };
        w.WriteLine(string.Create(inv, $"Effective timeouts for {r.Nodes} nodes ({source}):"));
        var tokenHow = r.Nodes > 2
            ? string.Create(inv, $"token {t.ConfiguredToken} + ({r.Nodes} - 2) x token_coefficient {t.TokenCoefficient}")
            : "token; token_coefficient applies from 3 nodes";
        Row(w, "token", t.Token, tokenHow);
        Row(w, "token_retransmit", t.TokenRetransmit, string.Create(inv, $"token / (token_retransmits_before_loss_const {t.TokenRetransmitsBeforeLossConst} + 0.2)"));
        Row(w, "hold", t.Hold, "token_retransmit x 0.8 - 10");
        Row(w, "consensus", t.Consensus, "1.2 x token");
        Row(w, "join", t.Join, "");
        Row(w, "merge", t.Merge, "");
        Row(w, "downcheck", t.Downcheck, "");
        Row(w, "token_warning", t.TokenWarningPercent, "of token before \"Token has not been received\" is logged");
        w.WriteLine(string.Create(inv, $"  max_messages {t.MaxMessages}, window_size {t.WindowSize}, fail_recv_const {t.FailReceiveConst}, seqno_unchanged_const {t.SeqnoUnchangedConst}, miss_count_const {t.MissCountConst}"));
        w.WriteLine();
        w.WriteLine("In plain words:");
        w.WriteLine(string.Create(inv, $"  A crashed node is noticed after the effective token timeout: {r.DetectionMs} ms."));
        w.WriteLine(string.Create(inv, $"  The survivors form a new membership after token + consensus: about {r.NewMembershipMs} ms."));
        w.WriteLine(r.FencingMode == "none"
            ? "  Fencing is off (fencing.mode none): a node without quorum only reports it."
            : string.Create(inv, $"  A node left without quorum fences itself after that plus the watchdog timeout ({r.FencingTimeoutMs} ms): about {r.FencingMs} ms after the failure."));
        w.WriteLine("  (token_retransmits_before_loss_const only sets how often the token is resent within the token timeout; it does not lengthen it.)");
        if (r.Warnings.Count == 0) return;
        w.WriteLine();
        w.WriteLine("Warnings:");
        foreach (var warning in r.Warnings) w.WriteLine($"  - {warning}");
    }

    private static void Row(TextWriter w, string key, uint value, string how) =>
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {key,-18}{value,7} {(key == "token_warning" ? "% " : "ms")}  {how}").TrimEnd());
}
