using Totem.Protocol.Config;
using static Totem.Protocol.Tests.Config.ConfigTestSupport;

namespace Totem.Protocol.Tests.Config;

public class AllowDownscaleConfigTests
{
    [Theory]
    [InlineData("", false)]
    [InlineData("  allow_downscale: 1\n", true)]
    [InlineData("  allow_downscale: 0\n", false)]
    public void Allow_downscale_is_read_from_the_quorum_section(string line, bool expected)
    {
        var result = Load(Minimal(extraSections: $"quorum {{\n  provider: corosync_votequorum\n{line}}}\n"));
        Assert.True(result.IsValid, Errors(result));
        Assert.Empty(result.Warnings);
        Assert.Equal(expected, result.Config!.Quorum.AllowDownscale);
    }

    [Fact]
    public void A_bad_value_names_the_key()
    {
        var result = Load(Minimal(extraSections: "quorum {\n  provider: corosync_votequorum\n  allow_downscale: maybe\n}\n"));
        Assert.False(result.IsValid);
        Assert.Contains("quorum.allow_downscale", Errors(result));
    }

    [Fact]
    public void A_quorum_device_with_allow_downscale_is_refused_at_the_key_as_corosync_refuses_it()
    {
        var result = Load(Minimal(extraSections: "quorum {\n  provider: corosync_votequorum\n  allow_downscale: 1\n  device {\n    model: net\n  }\n}\n"));
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors).ToString();
        Assert.StartsWith("test.conf:17:3: error:", error);
        Assert.Contains("configuration error: quorum.device is not compatible with allow_downscale (quorum.device.model is set at line 19)", error);
    }

    [Fact]
    public void A_quorum_device_without_allow_downscale_is_only_ignored()
    {
        var result = Load(Minimal(extraSections: "quorum {\n  provider: corosync_votequorum\n  device {\n    model: net\n  }\n}\n"));
        Assert.True(result.IsValid, Errors(result));
        Assert.Contains(result.Warnings, w => w.ToString().Contains("section 'quorum.device' is not used by this engine"));
    }

    [Fact]
    public void The_key_shows_in_the_cmap_keys_when_set()
    {
        var set = Load(Minimal(extraSections: "quorum {\n  provider: corosync_votequorum\n  allow_downscale: 1\n}\n")).Config!;
        Assert.Contains("quorum.allow_downscale (u8) = 1", RuntimeConfigKeys.From(set, set.Timeouts()).Select(k => k.ToString()));
        var unset = Load(Minimal(extraSections: "quorum {\n  provider: corosync_votequorum\n}\n")).Config!;
        Assert.DoesNotContain(RuntimeConfigKeys.From(unset, unset.Timeouts()), k => k.Key == "quorum.allow_downscale");
    }
}
