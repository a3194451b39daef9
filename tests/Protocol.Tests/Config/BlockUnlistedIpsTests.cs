using Totem.Protocol.Config;
using static Totem.Protocol.Tests.Config.ConfigTestSupport;

namespace Totem.Protocol.Tests.Config;

/// <summary>totem.block_unlisted_ips as totemconfig.c reads it: yes by default, exactly "yes" or "no", anything else keeps yes.</summary>
public class BlockUnlistedIpsTests
{
    [Fact]
    public void Unset_it_is_on_and_published_as_corosync_does()
    {
        var result = Load(Minimal());
        Assert.True(result.IsValid, Errors(result));
        Assert.True(result.Config!.Totem.BlockUnlistedIps);
        Assert.Empty(result.Warnings);
        var keys = RuntimeConfigKeys.From(result.Config, result.Config.Timeouts(2)).ToDictionary(k => k.Key, k => k.ToString());
        Assert.Equal("runtime.config.totem.block_unlisted_ips (u32) = 1", keys["runtime.config.totem.block_unlisted_ips"]);
        Assert.False(keys.ContainsKey("totem.block_unlisted_ips"));
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("no", false)]
    public void Yes_and_no_set_it(string value, bool expected)
    {
        var result = Load(Minimal($"  block_unlisted_ips: {value}\n"));
        Assert.True(result.IsValid, Errors(result));
        Assert.Equal(expected, result.Config!.Totem.BlockUnlistedIps);
        Assert.Empty(result.Warnings);
        var keys = RuntimeConfigKeys.From(result.Config, result.Config.Timeouts(2)).ToDictionary(k => k.Key, k => k.ToString());
        Assert.Equal($"totem.block_unlisted_ips (str) = {value}", keys["totem.block_unlisted_ips"]);
        Assert.Equal($"runtime.config.totem.block_unlisted_ips (u32) = {(expected ? 1 : 0)}", keys["runtime.config.totem.block_unlisted_ips"]);
    }

    [Theory]
    [InlineData("off")]
    [InlineData("0")]
    [InlineData("false")]
    public void Anything_else_keeps_blocking_as_in_corosync_and_says_so(string value)
    {
        var result = Load(Minimal($"  block_unlisted_ips: {value}\n"));
        Assert.True(result.IsValid, Errors(result));
        Assert.True(result.Config!.Totem.BlockUnlistedIps);
        Assert.Equal($"test.conf:4:3: warning: totem.block_unlisted_ips: '{value}' is neither 'yes' nor 'no'; as corosync, the default (yes) stays in force",
            Assert.Single(result.Warnings).ToString());
    }
}
