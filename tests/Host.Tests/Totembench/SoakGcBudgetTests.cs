using Totem.Host.Totembench;

namespace Totem.Host.Tests.Totembench;

/// <summary>Which invocations re-run themselves under the soak's gen0 budget (the re-run itself is execve, seen in the note's runs).</summary>
public sealed class SoakGcBudgetTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] set) =>
        name => set.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData("soak")]
    [InlineData("digests")]
    public void A_seed_command_without_a_budget_wants_one(string command) =>
        Assert.True(SoakGcBudget.Wanted([command, "--seeds", "10"], Environment()));

    [Theory]
    [InlineData("replay")]
    [InlineData("timing")]
    [InlineData("hotpath")]
    [InlineData("--help")]
    public void Other_commands_run_as_started(string command) =>
        Assert.False(SoakGcBudget.Wanted([command], Environment()));

    [Fact]
    public void No_command_runs_as_started() => Assert.False(SoakGcBudget.Wanted([], Environment()));

    [Theory]
    [InlineData("DOTNET_GCgen0size", "0x4000000")]
    [InlineData("DOTNET_GCgen0size", "0")]
    [InlineData("COMPlus_GCgen0size", "0x2000000")]
    public void A_budget_the_caller_set_is_kept(string name, string value) =>
        Assert.False(SoakGcBudget.Wanted(["soak"], Environment((name, value))));

    [Fact]
    public void Other_variables_do_not_count_as_a_budget() =>
        Assert.True(SoakGcBudget.Wanted(["soak"], Environment(("DOTNET_gcServer", "1"))));
}
