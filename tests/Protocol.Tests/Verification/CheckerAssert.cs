namespace Totem.Protocol.Tests.Verification;

internal static class CheckerAssert
{
    public static void Clean(IReadOnlyList<string> violations) =>
        Assert.True(violations.Count == 0, "expected no violations, got:\n" + string.Join("\n", violations));

    /// <summary>Exactly one violation of <paramref name="invariant"/> mentions every fragment.</summary>
    public static void Reports(IReadOnlyList<string> violations, string invariant, params string[] fragments)
    {
        var matching = violations.Where(v => v.StartsWith(invariant + ": ", StringComparison.Ordinal) && fragments.All(v.Contains)).ToList();
        Assert.True(matching.Count == 1,
            $"expected one '{invariant}' violation mentioning [{string.Join(" | ", fragments)}], got {matching.Count} among:\n" + string.Join("\n", violations));
    }

    /// <summary>The violating history reports the violation; the same history without the fault reports nothing.</summary>
    public static void ReportsOnlyWhenViolated(bool violate, IReadOnlyList<string> violations, string invariant, params string[] fragments)
    {
        if (violate) Reports(violations, invariant, fragments);
        else Clean(violations);
    }
}
