using Totem.Protocol.Whatif;

namespace Totem.Protocol.Tests.Whatif;

public sealed class TokenRecommendationTests
{
    private static TokenTrial Trial(uint token, double perYear) => new(token, (uint)(1.2 * token), perYear, 2.2 * token);

    [Fact]
    public void The_smallest_token_under_one_a_year_is_chosen()
    {
        TokenTrial[] trials = [Trial(500, 800), Trial(1000, 3), Trial(2000, 0.2), Trial(3000, 0.01), Trial(5000, 0)];
        Assert.Equal(Trial(2000, 0.2), TokenRecommendation.Recommend(trials, 1));
    }

    [Fact]
    public void A_small_token_that_looks_fine_below_a_failing_one_is_not_trusted()
    {
        // 1000 measured no loss by chance, but 2000 lost the token: a smaller token cannot do better than a larger one.
        TokenTrial[] trials = [Trial(1000, 0), Trial(2000, 4), Trial(3000, 0.5)];
        Assert.Equal(Trial(3000, 0.5), TokenRecommendation.Recommend(trials, 1));
        Assert.Equal([4.0, 4.0, 0.5], TokenRecommendation.Envelope(trials).Select(t => t.SpuriousPerYear));
    }

    [Fact]
    public void Nothing_is_recommended_when_even_the_largest_token_fails()
    {
        Assert.Null(TokenRecommendation.Recommend([Trial(1000, 50), Trial(2000, 2)], 1));
        Assert.Null(TokenRecommendation.Recommend([], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenRecommendation.Recommend([Trial(1000, 0)], 0));
    }

    /// <summary>The definition, brute force: the smallest token such that every token at or above it stays under the bound.</summary>
    private static TokenTrial? BruteForce(IReadOnlyList<TokenTrial> trials, double bound) =>
        trials.OrderBy(t => t.TokenMs).ThenBy(t => t.ConsensusMs)
            .FirstOrDefault(t => trials.Where(u => u.TokenMs >= t.TokenMs).All(u => u.SpuriousPerYear < bound)
                && trials.Where(u => u.TokenMs == t.TokenMs).All(u => u.ConsensusMs >= t.ConsensusMs || u.SpuriousPerYear < bound));

    private static TokenTrial[] RandomTrials(Random random)
    {
        var tokens = Enumerable.Range(0, random.Next(0, 7)).Select(_ => (uint)(100 * random.Next(1, 40))).Distinct().ToArray();
        double[] rates = [0, 0.001, 0.5, 0.99, 1, 1.01, 3, 1000, double.PositiveInfinity];
        return tokens.Select(t => Trial(t, rates[random.Next(rates.Length)])).ToArray();
    }

    [Fact]
    public void It_matches_brute_force_on_small_random_cases()
    {
        var random = new Random(2026);
        for (var i = 0; i < 5000; i++)
        {
            var trials = RandomTrials(random);
            var bound = new[] { 0.5, 1, 2 }[random.Next(3)];
            Assert.Equal(BruteForce(trials, bound), TokenRecommendation.Recommend(trials, bound));
        }
    }

    [Fact]
    public void It_is_monotone_the_envelope_never_rises_with_the_token_and_a_worse_rate_never_lowers_the_choice()
    {
        var random = new Random(15);
        for (var i = 0; i < 5000; i++)
        {
            var trials = RandomTrials(random);
            var envelope = TokenRecommendation.Envelope(trials);
            for (var k = 1; k < envelope.Count; k++)
                Assert.True(envelope[k].SpuriousPerYear <= envelope[k - 1].SpuriousPerYear);
            Assert.All(envelope.Zip(trials.OrderBy(t => t.TokenMs)), p => Assert.True(p.First.SpuriousPerYear >= p.Second.SpuriousPerYear));
            if (trials.Length == 0) continue;

            var before = TokenRecommendation.Recommend(trials, 1);
            var worse = trials.ToArray();
            var j = random.Next(worse.Length);
            worse[j] = worse[j] with { SpuriousPerYear = worse[j].SpuriousPerYear * 10 + 1 };
            var after = TokenRecommendation.Recommend(worse, 1);
            if (after is not null)
            {
                Assert.NotNull(before);
                Assert.True(after.TokenMs >= before.TokenMs, $"a worse rate at {worse[j].TokenMs} lowered the choice from {before.TokenMs} to {after.TokenMs}");
            }
        }
    }
}
