using Totem.Protocol.Config;
using Totem.Protocol.Whatif;

namespace Totem.Nodes.Simulator.Whatif;

/// <summary>
/// Tries effective tokens on a profile: each candidate runs as <c>token: T</c> with <c>token_coefficient: 0</c> (so the
/// ring's effective token is T whatever its size), the rest of the totem section as the user has it (consensus, hold
/// and token_retransmit derive from T as corosync derives them, unless the user set them), for the given virtual time
/// and seeds. Each trial is the predicted spurious changes a year (<see cref="WhatifReport.SpuriousPerYear"/>)
/// and the failover it costs (<see cref="FailoverWindow"/>'s upper end); <see cref="TokenRecommendation"/> chooses.
/// </summary>
public static class TokenSearch
{
    /// <summary>Effective tokens tried when the user names none: corosync's range from snappy to very patient.</summary>
    public static IReadOnlyList<uint> DefaultCandidates { get; } = [500, 1000, 1500, 2000, 3000, 5000, 10000, 20000];

    public sealed record Trial(TokenTrial Result, TotemTimeouts Timeouts, IReadOnlyList<WhatifOutcome> Outcomes);

    public static SimulationOptions WithToken(SimulationOptions options, uint tokenMs)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with { Totem = options.Totem with { Token = tokenMs, TokenCoefficient = 0 } };
    }

    public static Trial Try(SimulationOptions options, NetworkProfile profile, uint tokenMs, TimeSpan duration, int seeds)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var candidate = WithToken(options, tokenMs);
        var timeouts = candidate.Timeouts;
        var outcomes = Enumerable.Range(1, seeds).Select(seed => WhatifRun.Run(candidate, profile, duration, seed)).ToList();
        var result = new TokenTrial(timeouts.Token, timeouts.Consensus, WhatifReport.SpuriousPerYear(outcomes, profile, timeouts.Token),
            FailoverWindow.FaultToNewMembership(timeouts).HighMs);
        return new Trial(result, timeouts, outcomes);
    }
}
