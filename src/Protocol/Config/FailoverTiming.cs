namespace Totem.Protocol.Config;

/// <summary>
/// How long a ring with <see cref="TotemTimeouts"/> takes to replace a member that stopped, as corosync's logs show it
/// (measured on 3.1.7 in namespaces, /work/shared/notes/corosync-in-namespaces.md): the survivors declare the token lost
/// one token timeout after they last saw it, then wait consensus for every join before the new ring forms. The token
/// may have been on its way (or held, up to one hold timeout) when the member stopped, so counted from the fault
/// itself the new ring comes up to one hold earlier. Every place that predicts failover takes its window from here.
/// </summary>
public static class FailoverTiming
{
    /// <summary>From the last token a survivor saw to "A processor failed": exactly the effective token.</summary>
    public static Window TokenLoss(TotemTimeouts t) => new(t.Token, t.Token);

    /// <summary>From "A processor failed" to "A new membership ... was formed": the consensus wait.</summary>
    public static Window ConsensusWait(TotemTimeouts t) => new(t.Consensus, t.Consensus);

    /// <summary>From the fault (a crash, a cut) to the new membership: token + consensus, less up to one hold.</summary>
    public static Window FaultToNewMembership(TotemTimeouts t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var full = t.Token + t.Consensus;
        return new(full - Math.Min(t.Hold, full), full);
    }

    /// <summary>From the last token seen to the new membership: token + consensus.</summary>
    public static Window LastTokenToNewMembership(TotemTimeouts t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return new(t.Token + t.Consensus, t.Token + t.Consensus);
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
