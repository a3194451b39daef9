using Totem.Protocol.Config;
using Totem.Protocol.Config.Syntax;
using static Totem.Protocol.Tests.Config.ConfigTestSupport;

namespace Totem.Protocol.Tests.Config;

public class ConfigSyntaxParserTests
{
    private static ConfigSyntaxResult Parse(string text, Func<string, string?>? env = null) =>
        ConfigSyntaxParser.Parse(text, "x.conf", env ?? NoEnvironment);

    [Fact]
    public void Reads_sections_values_comments_and_repeated_blocks_in_order()
    {
        var result = Parse("""
            # comment
            // another comment
            nodelist {
              node {
                nodeid: 1   # trailing comment
                name = "a b \"c\""
              }
              node { nodeid: 2 }
            }
            """);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var nodelist = Assert.Single(result.Root.Sections("nodelist"));
        var nodes = nodelist.Sections("node").ToList();
        Assert.Equal(2, nodes.Count);
        var first = nodes[0].Values.ToList();
        Assert.Equal(("nodeid", "1"), (first[0].Name, first[0].Value));
        Assert.Equal(("name", "a b \"c\""), (first[1].Name, first[1].Value));
        Assert.Equal(new SourcePosition("x.conf", 5, 5), first[0].Position);
        Assert.Equal(new SourcePosition("x.conf", 5, 13), first[0].ValuePosition);
        Assert.Equal("2", nodes[1].Values.Single().Value);
        Assert.Equal(8, nodes[1].Position.Line);
    }

    [Fact]
    public void Unquoted_value_runs_to_the_end_of_the_line_and_keeps_colons()
    {
        var result = Parse("node {\n  ring0_addr: fe80::1\n  auto_tie_breaker_node: 1 3 5\n}\n");
        var values = result.Root.Sections("node").Single().Values.ToList();
        Assert.Equal("fe80::1", values[0].Value);
        Assert.Equal("1 3 5", values[1].Value);
    }

    [Fact]
    public void Accepts_crlf_line_ends_and_separator_before_brace()
    {
        var result = Parse("totem = {\r\n  token: 1000\r\n}\r\nquorum: {\r\n}\r\n");
        Assert.False(result.HasErrors);
        Assert.Equal("1000", result.Root.Sections("totem").Single().Values.Single().Value);
        Assert.Single(result.Root.Sections("quorum"));
    }

    [Fact]
    public void Unclosed_brace_names_the_line_where_the_section_opened()
    {
        var d = Assert.Single(Parse("logging {\n  debug: off\n\ntotem {\n  token: 1\n").Diagnostics);
        Assert.Equal("x.conf:4:1: error: section 'totem' opened here is not closed: expected '}' before the end of the file", d.ToString());
    }

    [Fact]
    public void Stray_closing_brace_is_an_error_at_its_line()
    {
        var d = Assert.Single(Parse("totem {\n}\n}\n").Diagnostics);
        Assert.Equal("x.conf:3:1: error: unexpected '}': there is no open section to close", d.ToString());
    }

    [Fact]
    public void Missing_value_is_an_error_naming_the_key()
    {
        var d = Assert.Single(Parse("totem {\n  token:\n}\n").Diagnostics);
        Assert.Equal("x.conf:2:9: error: missing value for key 'token': expected a value after the separator", d.ToString());
    }

    [Fact]
    public void Key_without_separator_says_what_was_expected()
    {
        var d = Assert.Single(Parse("totem {\n  token 1000\n}\n").Diagnostics);
        Assert.Equal("x.conf:2:9: error: expected ':' or '=' followed by a value, or '{' to open a section, after 'token' but found '1'", d.ToString());
    }

    [Fact]
    public void Bad_token_at_the_start_of_a_line_is_an_error()
    {
        var d = Assert.Single(Parse("totem {\n  @token: 1\n}\n").Diagnostics);
        Assert.Equal("x.conf:2:3: error: unexpected '@': expected a key, a section name, '}' or a comment", d.ToString());
    }

    [Fact]
    public void Unterminated_quote_and_text_after_a_quoted_value_are_errors()
    {
        Assert.Equal("x.conf:1:7: error: unterminated quoted string: expected a closing '\"' on the same line",
            Assert.Single(Parse("name: \"abc\n").Diagnostics).ToString());
        Assert.Equal("x.conf:1:13: error: unexpected 'x' after the quoted value of 'name': expected the end of the line",
            Assert.Single(Parse("name: \"abc\" x\n").Diagnostics).ToString());
    }

    [Fact]
    public void Required_substitution_is_resolved_also_inside_a_larger_value()
    {
        var result = Parse("a: ${HOST}:${PORT}\nb: ${?UNSET}\nc: x${?UNSET}y\n", Environment(("HOST", "10.0.0.1"), ("PORT", "5405")));
        Assert.False(result.HasErrors);
        var values = result.Root.Values.ToList();
        Assert.Equal(2, values.Count);
        Assert.Equal(("a", "10.0.0.1:5405", true), (values[0].Name, values[0].Value, values[0].FromEnvironment));
        Assert.Equal(("c", "xy"), (values[1].Name, values[1].Value));
    }

    [Fact]
    public void Missing_required_variable_is_an_error_naming_file_line_and_variable()
    {
        var result = Parse("totem {\n  token: ${TOTEM_TOKEN}\n}\n");
        var d = Assert.Single(result.Diagnostics);
        Assert.StartsWith("x.conf:2:10: error: environment variable TOTEM_TOKEN is not set, but key 'token' requires it", d.ToString());
        Assert.Empty(result.Root.Sections("totem").Single().Entries);
    }

    [Fact]
    public void Empty_variable_counts_as_unset()
    {
        var result = Parse("a: ${?X}\n", Environment(("X", "")));
        Assert.Empty(result.Root.Entries);
    }

    [Fact]
    public void Quoted_strings_are_not_substituted()
    {
        var result = Parse("a: \"${X}\"\n", Environment(("X", "no")));
        Assert.Equal("${X}", result.Root.Values.Single().Value);
    }

    [Fact]
    public void Unclosed_substitution_is_an_error()
    {
        Assert.Equal("x.conf:1:7: error: bad substitution '${X': expected '}' but found end of line",
            Assert.Single(Parse("a: ${X\n").Diagnostics).ToString());
    }
}
