namespace Totem.Protocol.Config;

/// <summary>
/// How long a ring with <see cref="TotemTimeouts"/> takes to replace a member that stopped, as corosync's logs show it
/// (measured on 3.1.7 in namespaces, /work/shared/notes/corosync-in-namespaces.md): the survivors declare the token lost
/// one token timeout after they last saw it, then wait consensus for every join before the new ring forms. The token
/// may have been on its way (or held, up to one hold timeout) when the member stopped, so counted from the fault
/// itself the new ring comes up to one hold earlier. Every place that predicts failover (the simulator's timing fidelity,
/// totemctl explain) takes its window from here.
/// </summary>
public static class FailoverWindow
{
    /// <summary>From the fault (a crash, a cut) to the new membership: token + consensus, less up to one hold.</summary>
    public static Window FaultToNewMembership(TotemTimeouts t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var full = t.Token + t.Consensus;
        return new(full - Math.Min(t.Hold, full), full);
    }

    /// <summary>
    /// From the last token this node saw to the new membership: token + consensus when this node declared the loss
    /// itself. When another survivor declared it first ("A processor failed" is not in this node's log: the first
    /// detector's join pulled it into gather), that survivor last saw the token earlier, by up to the token's way from
    /// it to this node, at most N - 2 idle visits of up to one hold each.
    /// </summary>
    public static Window LastTokenToNewMembership(TotemTimeouts t, bool declaredHere)
    {
        ArgumentNullException.ThrowIfNull(t);
        var full = t.Token + t.Consensus;
        if (declaredHere) return new(full, full);
        var earlier = (ulong)Math.Max(0, t.NodeCount - 2) * t.Hold;
        return new((uint)(full - Math.Min(earlier, full)), full);
    }

    /// <summary>"Token has not been received in N ms" comes at token_warning percent of the token (0: never).</summary>
    public static uint TokenWarningMs(TotemTimeouts t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return (uint)((ulong)t.Token * t.TokenWarningPercent / 100);
    }

    /// <summary>A closed range of milliseconds.</summary>
    public readonly record struct Window(uint LowMs, uint HighMs)
    {
        /// <summary>Whether <paramref name="ms"/>, measured on clocks of <paramref name="resolutionMs"/> granularity plus <paramref name="slackMs"/> of scheduling, falls inside.</summary>
        public bool Contains(double ms, double resolutionMs, double slackMs) =>
            ms >= LowMs - resolutionMs - slackMs && ms <= HighMs + resolutionMs + slackMs;
    }
}
