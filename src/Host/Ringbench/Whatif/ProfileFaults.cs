using System.Globalization;
using Totem.Host.Control.Api;
using Totem.Nodes.Control;
using Totem.Protocol.Whatif;

namespace Totem.Host.Ringbench.Whatif;

/// <summary>
/// A what-if <see cref="NetworkProfile"/> as the faults a real totemd can inject in itself, the one place the profile's
/// fields meet the node's: latency and jitter as every node's outgoing delay D +- J ms (<see cref="LinkFault"/> draws
/// uniformly, so only a fixed delay or <c>jitter uniform MIN MAX</c> maps, and only in whole ms: D = latency + (MIN +
/// MAX) / 2, J = (MAX - MIN) / 2 gives the simulator's latency + uniform[MIN, MAX] exactly), loss as every node's
/// outgoing loss (the simulator drops per link and datagram; the node per destination and datagram: the same), and the
/// stalls as SIGSTOP/SIGCONT of the process for their length (the simulator's Pause freezes the node's actors the same
/// way: nothing sent, timers late, datagrams waiting). What has no in-node counterpart is refused with the reason.
/// </summary>
public sealed record ProfileFaults(LinkFault Links, IReadOnlyList<StallEvent> Stalls)
{
    /// <summary>The POST /v1/faults body that sets <see cref="Links"/> for every peer of a node.</summary>
    public FaultRequest Request => new(null, Links.DelayMs, Links.JitterMs, Links.LossPercent);

    public string Describe()
    {
        var links = Links.IsNone ? "no link fault" : $"every node sends with {Links}";
        var stalls = Stalls.Count == 0 ? "no stalls" : "stalls as SIGSTOP/SIGCONT: " + string.Join(", ", Stalls.Select(Describe));
        return $"{links}; {stalls}";
    }

    private static string Describe(StallEvent s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.Duration.TotalMilliseconds:0}ms every {s.Period.TotalSeconds:0.#}s on {s.Scope switch { StallScope.AllNodes => "all", StallScope.GivenNode => $"node {s.Node}", _ => "one" }}");

    /// <summary>The faults of <paramref name="profile"/> for a ring of <paramref name="nodes"/>; null with every reason when some field cannot be injected.</summary>
    public static ProfileFaults? From(NetworkProfile profile, int nodes, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var found = new List<string>();
        problems = found;
        var latency = profile.Latency.TotalMilliseconds;
        double low, high;
        switch (profile.Jitter)
        {
            case DelayJitter.Normal { StandardDeviationMs: 0 } fixedPart:
                low = high = latency + Math.Max(0, fixedPart.MeanMs);
                break;
            case DelayJitter.Uniform u:
                (low, high) = (latency + u.MinMs, latency + u.MaxMs);
                break;
            case DelayJitter.Normal:
                found.Add("jitter normal: a node injects uniform jitter (delay D +- J ms); write the profile's jitter as 'jitter uniform MIN MAX'");
                (low, high) = (latency, latency);
                break;
            default:
                found.Add("jitter samples: a node injects uniform jitter (delay D +- J ms), not measured samples; write 'jitter uniform MIN MAX'");
                (low, high) = (latency, latency);
                break;
        }
        var delay = (low + high) / 2;
        var jitter = (high - low) / 2;
        if (!WholeMs(delay) || !WholeMs(jitter))
            found.Add(string.Create(CultureInfo.InvariantCulture,
                $"latency and jitter give a delay of {delay} ms +- {jitter} ms; a node injects whole milliseconds"));
        if (profile.Bursts.Count > 0)
            found.Add($"jitter burst (line {profile.Bursts[0].Line}): a node's injected jitter cannot be raised for a burst on top of the profile's; drop the bursts");
        foreach (var s in profile.Stalls.Where(s => s.Scope == StallScope.GivenNode && s.Node > nodes))
            found.Add($"stall (line {s.Line}) on node {s.Node}, but the ring has {nodes} nodes");
        var lossPercent = profile.LossProbability * 100;
        if (found.Count == 0 && LinkFault.Check((uint)Math.Round(delay), (uint)Math.Round(jitter), lossPercent) is { } refused)
            found.Add(refused);
        return found.Count > 0 ? null : new ProfileFaults(new LinkFault((uint)Math.Round(delay), (uint)Math.Round(jitter), lossPercent), profile.Stalls);
    }

    private static bool WholeMs(double ms) => ms >= 0 && Math.Abs(ms - Math.Round(ms)) < 1e-6;
}
