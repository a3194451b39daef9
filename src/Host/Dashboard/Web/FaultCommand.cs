using System.Globalization;
using Microsoft.AspNetCore.Http;
using Totem.Host.Control;
using Totem.Nodes.Control;

namespace Totem.Host.Dashboard.Web;

/// <summary>
/// A fault button's request, POST /api/fault?node=ID&amp;kind=KIND[&amp;ms=N][&amp;percent=P], read strictly: kinds
/// delay (ms), loss (percent), partition (the node cut from every other), heal (every node's faults
/// cleared; node may be omitted). The delay and the loss are read as totemctl reads them ("200", "200ms", "1.5s";
/// "30", "30%") and held to the node's own limits. Anything else is refused with what is wrong.
/// </summary>
public sealed record FaultCommand(string Kind, uint? Node, uint? DelayMs, double? LossPercent)
{
    public const string Delay = "delay";
    public const string Loss = "loss";
    public const string Partition = "partition";
    public const string Heal = "heal";
    private static readonly string[] Kinds = [Delay, Loss, Partition, Heal];
    private static readonly string[] Known = ["node", "kind", "ms", "percent"];

    public static FaultCommand? Parse(IQueryCollection query, out string? error)
    {
        error = null;
        if (query.Keys.FirstOrDefault(k => !Known.Contains(k, StringComparer.Ordinal)) is { } unknown)
            return Refuse($"unknown parameter '{unknown}' (expected node, kind, ms, percent)", out error);
        if (query.Any(q => q.Value.Count > 1))
            return Refuse($"parameter '{query.First(q => q.Value.Count > 1).Key}' is given more than once", out error);
        var kind = query["kind"].ToString();
        if (!Kinds.Contains(kind, StringComparer.Ordinal))
            return Refuse($"kind: expected one of {string.Join(", ", Kinds)}, but '{kind}' was given", out error);
        uint? node = null;
        if (query.TryGetValue("node", out var n))
        {
            if (!uint.TryParse(n.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id == 0)
                return Refuse($"node: expected a node id (a whole number from 1), but '{n}' was given", out error);
            node = id;
        }
        else if (kind != Heal)
            return Refuse($"node: missing (kind {kind} needs the node it applies to)", out error);
        // The units as totemctl reads them (ArgumentParsers), the limits as the node enforces them (LinkFault.Check).
        uint? ms = null;
        double? percent = null;
        if (query.TryGetValue("ms", out var m))
        {
            if (kind != Delay) return Refuse($"ms: only kind delay takes it", out error);
            if (ArgumentParsers.Milliseconds(m.ToString(), out var problem) is not { } v) return Refuse($"ms: {problem}", out error);
            if (LinkFault.Check(v, 0, 0) is { } limit) return Refuse($"ms: {limit}", out error);
            ms = v;
        }
        else if (kind == Delay) return Refuse($"ms: missing (kind delay needs the delay, e.g. 200 or 200ms, up to {LinkFault.MaxDelayMs} ms)", out error);
        if (query.TryGetValue("percent", out var p))
        {
            if (kind != Loss) return Refuse($"percent: only kind loss takes it", out error);
            if (ArgumentParsers.Percent(p.ToString(), out var problem) is not { } v) return Refuse($"percent: {problem}", out error);
            percent = v;
        }
        else if (kind == Loss) return Refuse("percent: missing (kind loss needs the loss in percent, 0 to 100)", out error);
        return new FaultCommand(kind, node, ms, percent);
    }

    private static FaultCommand? Refuse(string message, out string? error)
    {
        error = message;
        return null;
    }
}
