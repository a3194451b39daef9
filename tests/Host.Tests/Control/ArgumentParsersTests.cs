using Totem.Host.Control;

namespace Totem.Host.Tests.Control;

public sealed class ArgumentParsersTests
{
    [Theory]
    [InlineData("20ms", 20u)]
    [InlineData("20", 20u)]
    [InlineData("1.5s", 1500u)]
    [InlineData(" 7MS ", 7u)]
    public void Durations_parse_to_milliseconds(string text, uint expected) => Assert.Equal(expected, ArgumentParsers.Milliseconds(text, out _));

    [Theory]
    [InlineData("soon")]
    [InlineData("-5ms")]
    [InlineData("")]
    public void Bad_durations_say_what_a_duration_looks_like(string text)
    {
        Assert.Null(ArgumentParsers.Milliseconds(text, out var error));
        Assert.Contains("20ms", error);
    }

    [Theory]
    [InlineData("10%", 10.0)]
    [InlineData("0.5", 0.5)]
    [InlineData("100%", 100.0)]
    public void Percentages_parse(string text, double expected) => Assert.Equal(expected, ArgumentParsers.Percent(text, out _));

    [Theory]
    [InlineData("101%")]
    [InlineData("-1")]
    [InlineData("lots")]
    public void Bad_percentages_are_refused(string text)
    {
        Assert.Null(ArgumentParsers.Percent(text, out var error));
        Assert.Contains("between 0 and 100", error);
    }
}
