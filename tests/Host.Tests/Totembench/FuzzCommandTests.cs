using Totem.Host.Totembench;

namespace Totem.Host.Tests.Totembench;

public sealed class FuzzCommandTests
{
    [Fact]
    public async Task Fuzz_mutates_captured_simulator_traffic_of_every_message_type_and_prints_the_counts()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await new TotembenchApp(output, error).RunAsync(["fuzz", "--count", "3000", "--seed", "3", "--corpus", "simulator"], CancellationToken.None);

        var text = output.ToString();
        Assert.True(exit == 0, text + error);
        foreach (var type in new[] { "CommitToken", "JoinMessage", "LeaveMessage", "McastMessage", "MergeDetect", "OrfToken", "TokenHoldCancel" })
            Assert.Contains(type, text.Split('\n')[0]);
        Assert.Contains("fuzz seed 3: 3,000 inputs", text);
        Assert.Contains("findings 0", text);
        Assert.Contains("rejected by reason: ", text);
        Assert.Contains("inputs/s", text);
    }
}
