using Totem.Protocol.Store;

namespace Totem.Protocol.Tests.Store;

public class StorePathTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/a")]
    [InlineData("/nodes/node1/qemu-server/100.conf")]
    [InlineData("/.hidden/a..b/...")]
    [InlineData("/ünïcode/ключ")]
    public void Valid_paths_parse_to_themselves(string text) => Assert.Equal(text, StorePath.Parse(text).Value);

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("a/b", "is not absolute")]
    [InlineData("//a", "has an empty segment at offset 1")]
    [InlineData("/a//b", "has an empty segment at offset 3")]
    [InlineData("/a/", "ends with '/'")]
    [InlineData("/a/./b", "has a '.' segment at offset 3")]
    [InlineData("/a/..", "has a '..' segment at offset 3")]
    [InlineData("/a\nb", "has a control character (U+000A) at offset 2")]
    [InlineData("/a\u0000", "has a control character (U+0000) at offset 2")]
    public void Invalid_paths_are_refused_naming_what_and_where(string text, string problem)
    {
        Assert.False(StorePath.TryParse(text, out var path, out var error));
        Assert.Null(path);
        Assert.Contains(problem, error);
        Assert.StartsWith("store path '", error);
        Assert.DoesNotContain("\n", error);
        Assert.Contains(problem, Assert.Throws<ArgumentException>(() => StorePath.Parse(text)).Message);
    }

    [Fact]
    public void Length_limits_count_utf8_bytes()
    {
        var segment = new string('x', StoreLimits.MaxSegmentBytes);
        Assert.True(StorePath.TryParse("/" + segment, out _, out _));
        Assert.False(StorePath.TryParse("/" + segment + "x", out _, out var error));
        Assert.Contains($"segment of {StoreLimits.MaxSegmentBytes + 1} bytes at offset 1", error);
        // 128 two-byte characters: 256 bytes in one segment.
        Assert.False(StorePath.TryParse("/" + new string('é', 128), out _, out error));
        Assert.Contains("segment of 256 bytes", error);

        var longest = string.Concat(Enumerable.Repeat("/" + new string('y', 101), 11))[..StoreLimits.MaxPathBytes];
        Assert.True(StorePath.TryParse(longest, out _, out error), error);
        Assert.False(StorePath.TryParse(longest + "z", out _, out error));
        Assert.Contains($"is {StoreLimits.MaxPathBytes + 1} bytes in UTF-8, the limit is {StoreLimits.MaxPathBytes}", error);
        // The quoted path is cut so an error line stays readable.
        Assert.Contains("...'", error);
    }

    [Fact]
    public void An_unpaired_surrogate_is_not_a_path() =>
        Assert.Contains("not valid Unicode", Assert.Throws<ArgumentException>(() => StorePath.Parse("/a\ud800")).Message);

    [Fact]
    public void Parent_name_and_ancestry()
    {
        var path = StorePath.Parse("/a/b/c");
        Assert.Equal("/a/b", path.Parent.Value);
        Assert.Equal("/", StorePath.Parse("/a").Parent.Value);
        Assert.Equal(StorePath.Root, StorePath.Root.Parent);
        Assert.Equal("c", path.Name);
        Assert.True(StorePath.Parse("/a").IsAncestorOf(path));
        Assert.True(StorePath.Root.IsAncestorOf(path));
        Assert.False(StorePath.Parse("/a/b/c").IsAncestorOf(path));
        Assert.False(StorePath.Parse("/a/b/c").IsAncestorOf(StorePath.Parse("/a/b/cd")));
        Assert.Equal(StorePath.Parse("/x"), StorePath.Parse("/x"));
        Assert.True(StorePath.Parse("/a-b").CompareTo(StorePath.Parse("/a/b")) < 0);
    }
}
