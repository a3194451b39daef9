namespace Totem.Protocol.Whatif;

/// <summary>
/// The smallest token whose predicted spurious membership changes stay under a bound, chosen from tried tokens. A
/// larger token can only make a loss rarer, so a trial is trusted only as far as every larger token agrees: the rate a
/// token is judged by is the worst of its own and every larger token's (a non-increasing envelope; noise in one
/// trial cannot make the choice jump below a token that failed).
/// </summary>
public static class TokenRecommendation
{
    /// <summary>The recommended trial (as measured), or null when even the largest token tried breaks the bound.</summary>
    public static TokenTrial? Recommend(IReadOnlyList<TokenTrial> trials, double maxPerYear)
    {
        ArgumentNullException.ThrowIfNull(trials);
        if (double.IsNaN(maxPerYear) || maxPerYear <= 0) throw new ArgumentOutOfRangeException(nameof(maxPerYear), maxPerYear, "the bound must be above zero");
        var ordered = InTokenOrder(trials);
        var envelope = Envelope(trials);
        TokenTrial? chosen = null;
        for (var i = envelope.Count - 1; i >= 0 && envelope[i].SpuriousPerYear < maxPerYear; i--) chosen = ordered[i];
        return chosen;
    }

    /// <summary>The trials in token order, each with the worst rate among it and every larger token.</summary>
    public static IReadOnlyList<TokenTrial> Envelope(IReadOnlyList<TokenTrial> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var ordered = InTokenOrder(trials);
        var result = new TokenTrial[ordered.Length];
        var worst = 0.0;
        for (var i = ordered.Length - 1; i >= 0; i--)
        {
            worst = Math.Max(worst, double.IsNaN(ordered[i].SpuriousPerYear) ? double.PositiveInfinity : ordered[i].SpuriousPerYear);
            result[i] = ordered[i] with { SpuriousPerYear = worst };
        }
        return result;
    }

    private static TokenTrial[] InTokenOrder(IReadOnlyList<TokenTrial> trials) => trials.OrderBy(t => t.TokenMs).ThenBy(t => t.ConsensusMs).ToArray();
}
