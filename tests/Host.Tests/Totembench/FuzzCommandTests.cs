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

    [Fact]
    public async Task Fuzz_with_crypto_rejects_every_mutation_of_sealed_traffic_as_unauthenticated_and_decodes_what_a_key_holder_seals()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await new TotembenchApp(output, error).RunAsync(
            ["fuzz", "--count", "2000", "--seed", "3", "--corpus", "simulator", "--crypto", "aes256/sha256"], CancellationToken.None);

        var text = output.ToString();
        Assert.True(exit == 0, text + error);
        var runs = text.Split("crypto aes256/sha256: ");
        Assert.Equal(3, runs.Length);
        // Mutated sealed datagrams: only the mutations that left the bytes as sealed open; every other one fails
        // authentication before the codec sees it.
        Assert.Matches(@"^mutations of the \d+ datagrams sealed", runs[1]);
        Assert.Contains("findings 0", runs[1]);
        Assert.Matches(@"rejected by reason: Unauthenticated [\d,]+;\s*\n", runs[1]);
        // Mutated clear datagrams sealed by a key holder reach the codec, which rejects them by their own reasons.
        Assert.StartsWith("mutations of the clear datagrams, each sealed by a key holder", runs[2], StringComparison.Ordinal);
        Assert.Contains("findings 0", runs[2]);
        Assert.DoesNotContain("Unauthenticated", runs[2]);
        Assert.Contains("Truncated", runs[2]);
    }

    [Fact]
    public async Task Fuzz_refuses_an_unknown_crypto_suite_naming_the_option()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await new TotembenchApp(output, error).RunAsync(["fuzz", "--count", "10", "--crypto", "rot13/sha256"], CancellationToken.None);

        Assert.NotEqual(0, exit);
        Assert.Contains("--crypto", error.ToString());
    }
}
