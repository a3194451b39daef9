using Totem.Host.Ringbench.Corosync;

namespace Totem.Host.Tests.Ringbench;

public sealed class CpgBenchLinesTests
{
    [Fact]
    public void Every_answer_of_the_C_client_parses_to_its_record()
    {
        Assert.Equal(new CpgMembers(5), CpgBenchLines.Parse("members 5"));
        Assert.Equal(new CpgExpecting(3), CpgBenchLines.Parse("expecting 3"));
        Assert.Equal(new CpgDone(3, 40000, 0xcbf29ce484222325, 0, 2, 123456789, 223456789),
            CpgBenchLines.Parse("done 3 40000 cbf29ce484222325 0 2 123456789 223456789"));
        Assert.Equal(new CpgSent(7, 8000, 12, 987654321), CpgBenchLines.Parse("sent 7 8000 12 987654321"));
        Assert.Equal(new CpgError("cpg_join (6)"), CpgBenchLines.Parse("error cpg_join (6)"));
        Assert.Equal(new CpgLatency(2, 17, 1500000), CpgBenchLines.ParseLatency("2 17 1500000"));
    }

    [Theory]
    [InlineData("", "an empty line")]
    [InlineData("hello 1", "an unknown line 'hello'")]
    [InlineData("members", "'members' with 0 field(s)")]
    [InlineData("members five", "the member count 'five' is not a number")]
    [InlineData("done 1 10 cbf29ce4842223 0 0 1 2", "the order hash 'cbf29ce4842223' is not 16 hex digits")]
    [InlineData("done 1 10 cbf29ce484222325 0 0 1", "'done' with 6 field(s)")]
    [InlineData("sent 1 -10 0 5", "the count '-10' is not a number")]
    public void A_line_of_another_form_is_refused_quoting_it(string line, string why)
    {
        var error = Assert.Throws<FormatException>(() => CpgBenchLines.Parse(line));
        Assert.Equal($"cpgbench printed {why}: '{line}'", error.Message);
    }

    [Theory]
    [InlineData("2 17")]
    [InlineData("2 17 x")]
    public void A_bad_latency_line_is_refused_quoting_it(string line)
    {
        var error = Assert.Throws<FormatException>(() => CpgBenchLines.ParseLatency(line));
        Assert.Contains($"'{line}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_C_source_is_carried_by_ringbench_and_speaks_the_lines_parsed_here()
    {
        var source = CpgBenchProgram.SourceText();
        Assert.Contains("cpg_mcast_joined(handle, CPG_TYPE_AGREED", source, StringComparison.Ordinal);
        Assert.Contains("CS_ERR_TRY_AGAIN", source, StringComparison.Ordinal);
        foreach (var answer in new[] { "\"members %zu\\n\"", "\"expecting %u\\n\"", "\"done %u ", "\"sent %u ", "\"error %s (%d)\\n\"" })
            Assert.Contains(answer, source, StringComparison.Ordinal);
    }
}
